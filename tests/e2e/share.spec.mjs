// Export, share links, drafts and starting over, against the release build.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

const GOLDEN_KESTRA = readFileSync(new URL('../../crates/core/tests/suite/exports/kestra-outage.kestra.json', import.meta.url), 'utf8');

async function open(page, path = '/') {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(process.env.BASE_URL + path);
  await expect(page.getByTestId('editor')).toBeVisible();
  return errors;
}

test('a copied share link restores the same plan in a fresh browser', async ({ page, browser, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = await open(page);
  await page.getByTestId('example-flyte-docstring').click();
  const editor = page.getByTestId('editor');
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('# shared\n');
  await page.getByTestId('engine').selectOption('kestra');
  await page.getByTestId('tab-batches').click();
  const runs = await page.getByTestId('run-count').textContent();
  const text = await editor.inputValue();
  const now = await page.getByTestId('now').textContent();
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share')).toBeEnabled();
  await expect(page.getByText('Link copied.')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#s=[A-Za-z0-9_-]+$/);
  expect(await page.getByTestId('share-link').inputValue()).toBe(link);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('editor')).toHaveValue(text);
  await expect(other.getByTestId('run-count')).toHaveText(runs);
  await expect(other.getByTestId('engine')).toHaveValue('kestra');
  await expect(other.getByTestId('tab-batches')).toHaveAttribute('aria-selected', 'true');
  await expect(other.getByTestId('now')).toHaveText(now);
  await expect(other.getByTestId('now-source')).toContainText('kept from the link');
  await fresh.close();
  expect(errors).toEqual([]);
});

test('the last state comes back on reload, and start over clears it', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-mage-window').click();
  await page.getByTestId('editor').fill('engine: flyte\nschedule: {cron: "0 0 * * *"}\nwindow: {start: 2023-01-01, end: 2023-01-06}\n');
  await expect(page.getByTestId('run-count')).toHaveText('4');
  const now = await page.getByTestId('now').textContent();
  await page.goto(process.env.BASE_URL + '/'); // no link: the draft
  await expect(page.getByTestId('editor')).toHaveValue(/end: 2023-01-06/);
  await expect(page.getByTestId('run-count')).toHaveText('4');
  await expect(page.getByTestId('now')).toHaveText(now);
  await expect(page.getByTestId('now-source')).toContainText('kept from your draft');

  page.once('dialog', (d) => d.dismiss());
  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('editor')).toHaveValue(/end: 2023-01-06/); // declined: nothing changed
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('editor')).toHaveValue('');
  await expect(page.getByTestId('now-source')).toContainText('clock');
  const draft = await page.evaluate(() => JSON.parse(localStorage.getItem('backfill-planner:draft') || '{}'));
  expect(draft.text || '').toBe('');
  await page.goto(process.env.BASE_URL + '/');
  await expect(page.getByTestId('editor')).toHaveValue('');
});

test('the downloaded and copied Kestra payload of the Kestra seed equal its golden file', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await page.getByTestId('example-kestra-outage').click();
  await expect(page.getByTestId('run-count')).toHaveText('11');
  await page.getByTestId('export-target').selectOption('kestra');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-download').click(),
  ]);
  expect(download.suggestedFilename()).toBe('backfill.kestra.json');
  expect(readFileSync(await download.path(), 'utf8')).toBe(GOLDEN_KESTRA);
  await page.getByTestId('export-copy').click();
  await expect(page.getByTestId('export-note')).toHaveText('Copied to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(GOLDEN_KESTRA);
  // A target that cannot express the plan says why instead of giving a payload.
  await page.getByTestId('export-target').selectOption('dagster');
  await page.getByTestId('export-download').click();
  await expect(page.getByTestId('export-note')).toContainText('E0701');
});

// Issue 11: hostile text arriving by a crafted link. The app plans in the page (the core
// in wasm): a list nested 6,000 deep used to overflow the wasm stack, and a 900 KB list
// took the quadratic span computation; both must show their outcome and leave the page
// usable. The link is made here as the app makes it (JSON, raw deflate, base64url): typing
// 900 KB into a text area through Chromium's editing is itself slow, and a link is how
// such a text arrives.
const DEEP = '- '.repeat(6000) + 'x\n';
let BIG = 'engine: generic\nschedule: {cron: "0 0 * * *"}\nwindow: {start: 2024-01-01, end: 2024-03-01}\nselect:\n';
for (let i = 0; i < 60000; i++) BIG += `  - 2024-01-${String((i % 28) + 1).padStart(2, '0')}\n`;

function link(text) {
  const state = { v: 1, text, dialect: null, engine: null, now: '2026-01-01T00:00:00Z', tab: 'runs', mode: 'text' };
  return `${process.env.BASE_URL}/#s=${deflateRawSync(Buffer.from(JSON.stringify(state))).toString('base64url')}`;
}

for (const [name, text, expectation] of [['a 6,000-deep list', DEEP, 'E0006'], ['a 900 KB select list', BIG, null]]) {
  test(`a crafted link carrying ${name} shows its outcome and the page stays usable`, async ({ page }) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(link(text));
    if (expectation) await expect(page.getByTestId('diagnostics')).toContainText(expectation);
    else await expect(page.getByTestId('run-count')).toHaveText('28');
    await expect(page.getByTestId('editor')).toHaveValue(text);
    // Still responsive: a new spec is planned.
    await page.getByTestId('editor').fill('engine: flyte\nschedule: {cron: "0 0 * * *"}\nwindow: {start: 2023-01-01, end: 2023-01-06}\n');
    await expect(page.getByTestId('run-count')).toHaveText('4');
    expect(errors).toEqual([]);
  });
}
