// Take a screenshot of a page: node tests/e2e/screenshot.mjs URL OUT.png [light|dark]
import { chromium } from '@playwright/test';
const [url, out, scheme] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking'] });
const p = await b.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme || 'light' });
await p.goto(url); await p.waitForTimeout(1500); await p.screenshot({ path: out }); await b.close();
