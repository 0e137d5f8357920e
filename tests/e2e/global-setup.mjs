// One server for the specs that only read; specs that need their own start one.
import { startServer } from './server.mjs';

export default async function globalSetup() {
  const server = await startServer();
  process.env.BASE_URL = server.url;
  return async () => { await server.stop(); };
}
