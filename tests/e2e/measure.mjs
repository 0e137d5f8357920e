// Browser measurements of the planning page (release build, Debian's Chromium):
//   node tests/e2e/measure.mjs [DIST]   (DIST defaults to dist; BACKFILL_BIN names the server)
// Prints: planning time of a 10,000-run plan after a keystroke (the core's `plan` and the
// whole page update), time to the first rows of a 1,000,000-run plan, the longest
// main-thread task while scrolling it, and the gzipped size of the wasm and JS.
import { chromium } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from './server.mjs';

const dist = process.argv[2] || process.env.BACKFILL_DIST || 'dist';
const server = await startServer({ dist });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
});
await page.goto(server.url + '/');
await page.getByTestId('editor').waitFor();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const max = (xs) => Math.max(...xs);

// 1. A 10,000-run plan (minutely, in a DST zone), re-planned after each keystroke.
const tenK = 'engine: generic\nschedule:\n  cron: "* * * * *"\ntimezone: Europe/Berlin\nwindow:\n  start: "2024-03-30T00:00:00"\n  end: "2024-04-05T23:40:00"\nestimate:\n  run: 30s\n  overhead: 10s\n# ';
await page.getByTestId('editor').fill(tenK);
await page.waitForFunction(() => document.querySelector('[data-testid="run-count"]').textContent === '10,000');
const plan = [], update = [];
for (let i = 0; i < 15; i++) {
  await page.evaluate(() => { performance.clearMeasures(); });
  await page.getByTestId('editor').press('x');
  await page.waitForFunction(() => performance.getEntriesByName('update').length > 0, null, { timeout: 5000 });
  const m = await page.evaluate(() => ({
    plan: performance.getEntriesByName('plan').map((e) => e.duration),
    update: performance.getEntriesByName('update').map((e) => e.duration),
  }));
  plan.push(max(m.plan)); update.push(max(m.update));
}
const count10k = await page.getByTestId('run-count').textContent();

// 2. Time to the first rows of a 1,000,000-run plan (click → rows of the new plan painted).
const firstRows = [];
for (let i = 0; i < 5; i++) {
  await page.getByTestId('example-flyte-docstring').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-count"]').textContent === '9');
  const t = await page.evaluate(() => new Promise((resolve) => {
    const t0 = performance.now();
    document.querySelector('[data-testid="example-million"]').click();
    const check = () => {
      const row = document.querySelector('[data-testid="runs-table"] [data-testid="run-row"]');
      if (row && row.textContent.includes('2020-01-01T00:00:00Z')
          && document.querySelector('[data-testid="run-count"]').textContent === '1,000,000') {
        requestAnimationFrame(() => resolve(performance.now() - t0));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  }));
  firstRows.push(t);
}

// 3. Longest main-thread task while scrolling the 1,000,000-run table (wheel, then jumps).
await page.evaluate(() => { window.__long = []; });
const table = page.getByTestId('runs-table');
await table.hover();
const frameGaps = await page.evaluate(() => { window.__gaps = []; let last = performance.now();
  const tick = (t) => { window.__gaps.push(t - last); last = t; if (window.__gaps.length < 100000) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); return 0; });
for (let i = 0; i < 60; i++) { await page.mouse.wheel(0, 1200); await page.waitForTimeout(16); }
for (const f of [0.25, 0.5, 0.75, 1, 0.1]) {
  await table.evaluate((el, f) => { el.scrollTop = el.scrollHeight * f; }, f);
  await page.waitForTimeout(100);
}
await page.waitForTimeout(300);
const scroll = await page.evaluate(() => ({ long: window.__long, gaps: window.__gaps }));
const lastRow = await table.evaluate((el) => { el.scrollTop = el.scrollHeight; return new Promise((r) => setTimeout(() => r(
  [...el.querySelectorAll('[data-testid="run-row"]')].pop()?.getAttribute('data-index')), 200)); });

// 4. Size of the wasm and JS, gzipped (-9).
let wasm = 0, js = 0;
for (const f of readdirSync(dist)) {
  const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  if (f.endsWith('.wasm')) wasm += gz; else if (f.endsWith('.js')) js += gz;
}

await browser.close();
await server.stop();
const r = (x) => x.toFixed(1);
console.log(`10,000-run plan after a keystroke (${count10k} runs, 15 keystrokes):`);
console.log(`  core plan():        median ${r(median(plan))} ms, max ${r(max(plan))} ms   (target <= 16 ms)`);
console.log(`  whole page update:  median ${r(median(update))} ms, max ${r(max(update))} ms`);
console.log(`first rows of a 1,000,000-run plan: median ${r(median(firstRows))} ms, max ${r(max(firstRows))} ms (5 loads; target <= 300 ms)`);
console.log(`scrolling it (60 wheel steps, 5 jumps; last row index ${lastRow}):`);
console.log(`  longest main-thread task: ${scroll.long.length ? r(max(scroll.long)) + ' ms' : 'none over 50 ms'} (target <= 100 ms); longest frame gap ${r(max(scroll.gaps))} ms`);
console.log(`size: wasm ${(wasm / 1024).toFixed(1)} KB + JS ${(js / 1024).toFixed(1)} KB = ${((wasm + js) / 1024).toFixed(1)} KB gzipped (target <= 400 KB)`);
