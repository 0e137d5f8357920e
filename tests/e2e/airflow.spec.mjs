// An Airflow DAG file pasted with its backfill window: the runs POST /api/v2/backfills
// creates, DST marked, and the same plan stored when submitted.
import { test, expect } from '@playwright/test';

async function open(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(process.env.BASE_URL + '/');
  await expect(page.getByTestId('editor')).toBeVisible();
  return errors;
}

test('a DAG file with its window shows the runs airflow creates, and submits them', async ({ page }) => {
  const errors = await open(page);
  // The window fields appear only for a text that holds no window.
  await expect(page.getByTestId('window-fields')).toBeHidden();
  await page.getByTestId('example-airflow-dag').click();
  await expect(page.getByTestId('dialect')).toContainText('Airflow DAG file');
  await expect(page.getByTestId('window-fields')).toBeVisible();
  await expect(page.getByTestId('window-start')).toHaveValue('2024-03-08T00:00:00-05:00');
  await expect(page.getByTestId('run-count')).toHaveText('5');
  await expect(page.getByTestId('engine-version')).toHaveText('reproduces apache-airflow 3.3.2 / croniter 7.0.0 / pendulum 3.3.0');
  // 02:30 does not exist on 10 March in New York: airflow runs it at 03:30 EDT.
  const row = page.locator('[data-testid="run-row"][data-index="2"]');
  await expect(row).toContainText('2024-03-10T03:30:00-04:00');
  await expect(row).toContainText('backfill__2024-03-10T07:30:00+00:00');
  await expect(page.getByTestId('diagnostics')).toContainText('runs it after the gap, `2024-03-10T03:30:00`');
  // A narrower window: the to_date is included, the runs follow at once.
  await page.getByTestId('window-end').fill('2024-03-10T03:30:00-04:00');
  await expect(page.getByTestId('run-count')).toHaveText('3');
  // No window: a located error that says where to give it.
  await page.getByTestId('window-start').fill('');
  await expect(page.getByTestId('diagnostics')).toContainText('does not say the backfill\'s window');
  await page.getByTestId('window-start').fill('2024-03-08T00:00:00-05:00');
  await expect(page.getByTestId('run-count')).toHaveText('3');
  // The backend plans the same file with the same window and stores the same runs.
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('submit-result')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('submit-runs')).toHaveText('3');
  expect(errors).toEqual([]);
});
