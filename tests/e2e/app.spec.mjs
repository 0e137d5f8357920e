// The release build loads, the wasm mounts, and the app shows the backend's health.
import { test, expect } from '@playwright/test';

test('the app mounts and shows the backend health', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(process.env.BASE_URL + '/');
  // Rendered by the wasm, not by index.html: absent if the module fails to load or mount.
  await expect(page.getByTestId('app')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Backfill Planner' })).toBeVisible();
  await expect(page.getByTestId('health')).toContainText(/Backend ok · v\d+\.\d+\.\d+ · database ok/);
  expect(errors).toEqual([]);
});

test('a deep link is answered with the app', async ({ page }) => {
  await page.goto(process.env.BASE_URL + '/backfills/unknown');
  await expect(page.getByTestId('app')).toBeVisible();
});

test('the app runs under the server\'s Content-Security-Policy, with no violation', async ({ page }) => {
  const violations = [];
  page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  const response = await page.goto(process.env.BASE_URL + '/');
  const csp = response.headers()['content-security-policy'];
  expect(csp).toContain("'wasm-unsafe-eval'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(response.headers()['x-frame-options']).toBe('DENY');
  await expect(page.getByTestId('app')).toBeVisible();
  // Plan, draw the timeline (inline styles), export, copy: the app's own features.
  await page.getByTestId('example-dagster-100-days').click();
  await expect(page.getByTestId('run-count')).toHaveText('100');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await page.waitForTimeout(300);
  expect(violations).toEqual([]);
});

test('the settings close on Esc and on a click outside, and the health badge follows the endpoint', async ({ page }) => {
  await page.goto(process.env.BASE_URL + '/');
  const panel = page.getByTestId('settings-panel');
  const health = page.getByTestId('health');
  await expect(health).toContainText('Backend ok');
  await page.getByTestId('settings').click();
  await expect(panel).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await page.getByTestId('settings').click();
  await expect(panel).toBeVisible();
  await page.getByTestId('editor').click();
  await expect(panel).toBeHidden();
  // Another endpoint is asked at once; back to the page's own, and it is ok again.
  await page.getByTestId('settings').click();
  await page.getByTestId('settings-endpoint').fill('http://127.0.0.1:9');
  await page.getByTestId('settings-endpoint').press('Enter');
  await page.getByTestId('settings-endpoint').blur();
  await expect(health).toContainText('Backend unreachable');
  await page.getByTestId('settings-endpoint').fill('');
  await page.getByTestId('settings-endpoint').blur();
  await expect(health).toContainText('Backend ok');
});
