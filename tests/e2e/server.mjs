// Start and stop a real `backfill serve` on a free loopback port.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Start the server; resolves to { url, stop } once it listens. */
export async function startServer({ bin, dist, token, db, port } = {}) {
  bin = bin || process.env.BACKFILL_BIN || 'target/server/backfill';
  dist = dist || process.env.BACKFILL_DIST || 'dist';
  const dir = mkdtempSync(join(tmpdir(), 'backfill-e2e-'));
  const args = ['serve', '--addr', `127.0.0.1:${port || 0}`, '--db', db || join(dir, 'e2e.db'), '--dist', dist];
  if (token) args.push('--token', token);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${log}`)), 15_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/open (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop, child, dir };
}

/** A free loopback port (for a server restarted on the same address). */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}
