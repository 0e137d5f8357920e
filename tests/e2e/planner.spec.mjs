// The planning page, one behaviour per test, against the release build.
import { test, expect } from '@playwright/test';

const SEEDS = [
  ['polyaxon-hourly', '6', '2021-05-01T10:00:00', '2021-05-01T15:00:00'],
  ['polyaxon-daily', '7', '2021-05-01T00:00:00', '2021-05-07T00:00:00'],
  ['mage-window', '3', '2023-01-01T03:00:00', '2023-01-05T03:00:00'],
  ['kestra-outage', '11', '2024-03-28T06:30:00Z', '2024-03-28T11:30:00Z'],
  ['flyte-docstring', '9', '2023-01-02T00:00:00+00:00', '2023-01-10T00:00:00+00:00'],
  ['dagster-100-days', '100', '2024-01-01T00:00:00Z', '2024-04-09T00:00:00Z'],
];

// Seed A of research/semantics.md §1: an hourly window 2021-05-01 10:00 → 16:00 UTC,
// written the way each engine can express it.
const SEED_A = {
  cron: 'schedule:\n  cron: "0 * * * *"\nwindow:\n  start: "2021-05-01T10:00:00Z"\n  end: "2021-05-01T16:00:00Z"\n',
  every: 'schedule:\n  every: {unit: hour, count: 1}\nwindow:\n  start: "2021-05-01T10:00:00"\n  end: "2021-05-01T16:00:00"\n',
  partitions: 'schedule:\n  partitions: {kind: hourly}\nwindow:\n  start: "2021-05-01T10:00:00"\n  end: "2021-05-01T16:00:00"\n',
};

async function open(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(process.env.BASE_URL + '/');
  await expect(page.getByTestId('editor')).toBeVisible();
  return errors;
}

test('each seed example loads with one click and shows the engine-exact runs', async ({ page }) => {
  const errors = await open(page);
  for (const [id, runs, first, last] of SEEDS) {
    await page.getByTestId(`example-${id}`).click();
    await expect(page.getByTestId('run-count'), id).toHaveText(runs);
    await expect(page.getByTestId('first-run'), id).toHaveText(first);
    await expect(page.getByTestId('last-run'), id).toHaveText(last);
    await expect(page.getByTestId('dialect')).toContainText('Planner spec');
  }
  await expect(page.getByTestId('batch-count')).toHaveText('10'); // dagster: 100 keys in 10 runs of 10
  // Next to the picker: which engine code the preview reproduces (checked by differential/).
  await expect(page.getByTestId('engine-version')).toHaveText('reproduces dagster 1.13.28');
  await page.getByTestId('engine').selectOption('flyte');
  await expect(page.getByTestId('engine-version')).toHaveText('reproduces flytekit 1.16.31 / croniter 7.0.0');
  expect(errors).toEqual([]);
});

test('an error typed is underlined on its line and listed, and goes when fixed', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-flyte-docstring').click();
  const editor = page.getByTestId('editor');
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('concurency: 2');
  const line = (await editor.inputValue()).split('\n').length;
  const underline = page.locator('[data-testid="underline"][data-line="' + line + '"]');
  await expect(underline).toHaveText('concurency');
  const item = page.getByTestId('diagnostic').filter({ hasText: 'concurency' });
  await expect(item).toHaveAttribute('data-line', String(line));
  await expect(page.getByTestId('diagnostics')).toContainText('did you mean `concurrency`?');
  // Clicking the diagnostic puts the cursor on that line.
  await page.keyboard.press('Control+Home');
  await item.click();
  const cursorLine = await editor.evaluate((ta) => ta.value.slice(0, ta.selectionStart).split('\n').length);
  expect(cursorLine).toBe(line);
  // Fix it: the underline and the list entry go.
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('concurrency: 2');
  await expect(page.locator('[data-testid="underline"]').filter({ hasText: 'concurency' })).toHaveCount(0);
  await expect(page.getByTestId('diagnostic').filter({ hasText: 'concurency' })).toHaveCount(0);
  await expect(page.getByTestId('run-count')).toHaveText('9');
});

test('a diagnostic code says what it means on hover (from the core code registry)', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('example-flyte-docstring').click();
  const code = page.locator('.diag-code', { hasText: 'W0302' }).first();
  await expect(code).toHaveAttribute('title', /flyte excludes both ends/);
  expect(errors).toEqual([]);
});

test('switching engines changes the counts as the engines do (seed A)', async ({ page }) => {
  await open(page);
  const editor = page.getByTestId('editor');
  const engine = page.getByTestId('engine');
  const count = page.getByTestId('run-count');
  await editor.fill(SEED_A.cron);
  await engine.selectOption('kestra');
  await expect(count).toHaveText('7');
  await engine.selectOption('flyte');
  await expect(count).toHaveText('5');
  await expect(page.getByTestId('first-run')).toHaveText('2021-05-01T11:00:00Z');
  await engine.selectOption('polyaxon');
  await expect(count).toHaveText('—');
  await expect(page.getByTestId('diagnostics')).toContainText('E0403');
  await editor.fill(SEED_A.every);
  await expect(count).toHaveText('6');
  await engine.selectOption('mage');
  await expect(count).toHaveText('7');
  await editor.fill(SEED_A.partitions);
  await engine.selectOption('dagster');
  await expect(count).toHaveText('6');
});

test('a 1,000,000-run plan scrolls to its last run with only visible rows in the DOM', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-million').click();
  await expect(page.getByTestId('run-count')).toHaveText('1,000,000');
  const table = page.getByTestId('runs-table');
  await expect(table.getByTestId('run-row').first()).toBeVisible();
  await table.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  const last = table.locator('[data-testid="run-row"][data-index="999999"]');
  await expect(last).toBeVisible();
  await expect(last).toContainText('2021-11-25T10:39:00Z');
  expect(await table.getByTestId('run-row').count()).toBeLessThan(80);
});

test('jumping to a run by date scrolls the table to it', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-million').click();
  await page.getByTestId('jump').fill('2021-01-01T00:00:00Z');
  await page.getByTestId('jump').press('Enter');
  // 2020 is a leap year: 366 days of minutes.
  const row = page.locator('[data-testid="run-row"][data-index="527040"]');
  await expect(row).toBeVisible();
  await expect(row).toHaveClass(/row-target/);
});

test('pasted markup is shown as text and never runs', async ({ page }) => {
  await open(page);
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const editor = page.getByTestId('editor');
  for (const payload of ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>',
    'engine: generic\nschedule: {cron: "<img src=x onerror=alert(1)>"}\nwindow: {start: 2024-01-01, end: 2024-01-02}\n']) {
    await editor.fill('');
    await editor.focus();
    await page.keyboard.insertText(payload); // inserted as a paste inserts it
    await expect(page.getByTestId('diagnostics')).not.toContainText('No problems found');
    await page.waitForTimeout(300);
    expect(await page.locator('.app img, .app script').count()).toBe(0);
  }
  await expect(page.getByTestId('diagnostics')).toContainText('<img src=x onerror=alert(1)>');
  expect(dialogs).toEqual([]);
});

test('the timeline draws each batch across slots and hovering one shows its range and size', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-dagster-100-days').click();
  await page.getByTestId('tab-timeline').click();
  const bars = page.getByTestId('timeline-bar');
  await expect(bars).toHaveCount(10);
  await bars.nth(1).hover();
  await expect(page.getByTestId('timeline-hover')).toContainText('batch 1, slot 0: 10 runs (2024-01-11T00:00:00Z … 2024-01-20T00:00:00Z)');
  await page.getByTestId('tab-batches').click();
  await expect(page.getByTestId('batches').getByTestId('batch-row')).toHaveCount(10);
});

test('compare engines plans the same window in each engine and says what differs', async ({ page }) => {
  await open(page);
  await page.getByTestId('editor').fill(SEED_A.cron);
  await page.getByTestId('engine').selectOption('kestra');
  await expect(page.getByTestId('run-count')).toHaveText('7');
  await page.getByTestId('tab-compare').click();
  const compare = page.getByTestId('compare');
  await expect(compare.getByTestId('compare-kestra').getByTestId('compare-runs')).toHaveText('7');
  await expect(compare.getByTestId('compare-flyte').getByTestId('compare-runs')).toHaveText('5');
  await expect(compare.getByTestId('compare-flyte')).toContainText('2 fewer than kestra');
  // Seed A in research/semantics.md §1: Polyaxon 6, Mage 7, Kestra 7, Flyte 5, Dagster 6.
  for (const [engine, runs] of [['polyaxon', '6'], ['mage', '7'], ['dagster', '6']]) {
    await expect(compare.getByTestId(`compare-${engine}`).getByTestId('compare-runs'), engine).toHaveText(runs);
  }
});

test('compare says when an engine cannot express the schedule', async ({ page }) => {
  await open(page);
  await page.getByTestId('editor').fill('engine: generic\nschedule:\n  cron: "0 0 L * *"\nwindow:\n  start: 2024-01-01\n  end: 2024-06-01\n');
  await expect(page.getByTestId('run-count')).toHaveText('5');
  await page.getByTestId('tab-compare').click();
  await expect(page.getByTestId('compare-polyaxon')).toContainText('cannot express this schedule:');
});

test('the form writes the spec the editor shows and reads it back', async ({ page }) => {
  await open(page);
  await page.getByTestId('example-dagster-100-days').click();
  await page.getByTestId('mode-form').click();
  await expect(page.getByTestId('form-max-per-run')).toHaveValue('10');
  await page.getByTestId('form-max-per-run').fill('25');
  await page.getByTestId('form-max-per-run').press('Tab');
  await expect(page.getByTestId('batch-count')).toHaveText('4');
  await page.getByTestId('form-concurrency').fill('2');
  await page.getByTestId('form-concurrency').press('Tab');
  await expect(page.getByTestId('wave-count')).toHaveText('2');
  await page.getByTestId('mode-text').click();
  const text = await page.getByTestId('editor').inputValue();
  expect(text).toContain('max_per_run: 25');
  expect(text).toContain('concurrency: 2');
  expect(text).toContain('# 100 daily partitions');
});
