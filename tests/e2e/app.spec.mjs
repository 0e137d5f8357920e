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
