// The backfills pages: a backfill's state changes, shown as they happen.
import { test, expect } from '@playwright/test';

test('pause, resume and cancel show each state and disable what is not allowed', async ({ page }) => {
  await page.goto(process.env.BASE_URL + '/');
  await page.getByTestId('example-kestra-outage').click();
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('submit-result')).toHaveAttribute('data-state', 'done');
  await page.getByTestId('submit-link').click();
  const status = page.getByTestId('backfill-status');
  const [pause, resume, cancel] = ['pause', 'resume', 'cancel'].map((a) => page.getByTestId(a));
  await expect(status).toHaveText('pending');
  await expect(pause).toBeEnabled();
  await expect(resume).toBeDisabled();
  await pause.click();
  await expect(status).toHaveText('paused');
  await expect(pause).toBeDisabled();
  await expect(resume).toBeEnabled();
  await resume.click();
  await expect(status).toHaveText('pending');
  // Cancel asks first, saying what it stops; "Keep it" and Esc change nothing.
  await cancel.click();
  await expect(page.getByTestId('confirm-text')).toHaveText('Cancel 11 runs in 11 batches? A cancelled backfill cannot be resumed.');
  await page.getByTestId('keep').click();
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  await expect(status).toHaveText('pending');
  await cancel.click();
  await page.getByTestId('keep').press('Escape');
  await expect(page.getByTestId('confirm')).toHaveCount(0);
  await expect(status).toHaveText('pending');
  await cancel.click();
  await page.getByTestId('confirm-cancel').click();
  await expect(status).toHaveText('cancelled');
  for (const b of [pause, resume, cancel]) await expect(b).toBeDisabled();
  // A deep link shows the stored state.
  const url = page.url();
  const fresh = await page.context().browser().newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expect(other.getByTestId('backfill-status')).toHaveText('cancelled');
  await expect(other.getByTestId('detail-runs')).toHaveText('11');
  await other.goto(process.env.BASE_URL + '/backfills?status=cancelled');
  const id = url.split('/').pop();
  await expect(other.locator(`[data-testid="backfill-row"][data-id="${id}"]`).getByTestId('backfill-status')).toHaveText('cancelled');
  await expect(other.getByTestId('filter-status')).toHaveValue('cancelled');
  await fresh.close();
});
