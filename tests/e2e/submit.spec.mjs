// Submitting to the backend: the answer, idempotency, a token, a backend that is down.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort } from './server.mjs';

async function open(page, base = process.env.BASE_URL) {
  await page.goto(base + '/');
  await expect(page.getByTestId('editor')).toBeVisible();
}

async function listAll(request, base) {
  const r = await request.get(base + '/api/v1/backfills?limit=200');
  expect(r.ok()).toBeTruthy();
  return (await r.json()).items;
}

test('a submitted plan is on the backfills page with the run count the preview showed', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-dagster-100-days').click();
  const runs = await page.getByTestId('run-count').textContent();
  expect(runs).toBe('100');
  await page.getByTestId('submit').click();
  const result = page.getByTestId('submit-result');
  await expect(result).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('submit-runs')).toHaveText(runs);
  const id = await page.getByTestId('submit-id').textContent();
  await page.getByTestId('nav-backfills').click();
  await expect(page).toHaveURL(/\/backfills$/);
  const row = page.locator(`[data-testid="backfill-row"][data-id="${id}"]`);
  await expect(row.getByTestId('backfill-runs')).toHaveText(runs);
  await expect(row.getByTestId('backfill-status')).toHaveText('pending');
  await row.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/backfills/${id}$`));
  await expect(page.getByTestId('detail-runs')).toHaveText(runs);
  await expect(page.getByTestId('detail-run')).toHaveCount(100);
});

test('a double click on submit stores one backfill', async ({ page, request }) => {
  const before = (await listAll(request, process.env.BASE_URL)).length;
  await open(page);
  await page.getByTestId('example-polyaxon-daily').click();
  await expect(page.getByTestId('run-count')).toHaveText('7');
  await page.getByTestId('submit').dblclick();
  await expect(page.getByTestId('submit-result')).toHaveAttribute('data-state', 'done');
  // Pressing it again for the same plan is the same intended submission: same key.
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('submit-result')).toContainText('Already submitted');
  expect((await listAll(request, process.env.BASE_URL)).length).toBe(before + 1);
});

test('a digest the backend does not reproduce is explained with both digests and both counts', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-mage-window').click();
  await page.route('**/api/v1/backfills', async (route) => {
    const body = JSON.parse(route.request().postData());
    body.digest = '0'.repeat(64);
    await route.continue({ postData: JSON.stringify(body) });
  });
  await page.getByTestId('submit').click();
  const result = page.getByTestId('submit-result');
  await expect(result).toHaveAttribute('data-state', 'failed');
  await expect(result).toContainText("differs from your preview");
  await expect(result).toContainText('Your preview (3 runs)');
  await expect(page.getByTestId('digest-submitted')).toHaveText('0'.repeat(64));
  await expect(page.getByTestId('digest-computed')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(result).toContainText("The backend's plan (3 runs)");
  await expect(page.getByTestId('digest-counts')).toHaveText('Both have 3 runs, but the runs differ (dates, keys or params).');
});

test('a wrong token gets asked for, and the right one submits', async ({ page }) => {
  const server = await startServer({ token: 'right-token' });
  try {
    await open(page, server.url);
    await page.getByTestId('settings').click();
    await page.getByTestId('settings-token').fill('wrong-token');
    await expect(page.getByTestId('settings-token')).toHaveAttribute('type', 'password');
    await page.getByTestId('settings').click();
    await page.getByTestId('example-kestra-outage').click();
    await page.getByTestId('submit').click();
    const result = page.getByTestId('submit-result');
    await expect(result).toHaveAttribute('data-state', 'failed');
    await expect(result).toContainText('The backend needs a token');
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    await expect(page.getByTestId('settings-token')).toBeFocused();
    expect(page.url()).not.toContain('token');
    await page.getByTestId('settings-token').fill('right-token');
    await page.getByTestId('submit-retry').click();
    await expect(result).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('submit-runs')).toHaveText('11');
    expect(page.url()).not.toContain('right-token');
  } finally {
    await server.stop();
  }
});

test('with the backend down the draft is kept, and a retry after its restart stores it once', async ({ page, request }) => {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-restart-'));
  const port = await freePort();
  const db = join(dir, 'restart.db');
  let server = await startServer({ port, db });
  try {
    await open(page, server.url);
    await page.getByTestId('example-flyte-docstring').click();
    const text = await page.getByTestId('editor').inputValue();
    await server.stop();
    await page.getByTestId('submit').click();
    const result = page.getByTestId('submit-result');
    await expect(result).toHaveAttribute('data-state', 'failed');
    await expect(result).toContainText('could not be reached');
    await expect(result).toContainText('Your draft is kept');
    await expect(page.getByTestId('editor')).toHaveValue(text);
    const draft = await page.evaluate(() => JSON.parse(localStorage.getItem('backfill-planner:draft')));
    expect(draft.text).toBe(text);
    server = await startServer({ port, db });
    await page.getByTestId('submit-retry').click();
    await expect(result).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('submit-runs')).toHaveText('9');
    await page.getByTestId('submit-retry').count(); // gone once stored
    expect((await listAll(request, server.url)).length).toBe(1);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
