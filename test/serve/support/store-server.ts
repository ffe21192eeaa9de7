/**
 * The folder store server as its own process (for the tests that kill it): opens <dir>, prints one
 * JSON line { url, skipped } on stdout, and serves until killed. Usage: tsx store-server.ts <dir>
 */
import { FolderStore } from '../../../extension/serve/folder-store';
import { startServer } from '../../../extension/serve/server';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const store = await FolderStore.open(dir);
  const server = await startServer({ ohifDist: dir, extensionDist: dir, store, port: 0 });
  process.stdout.write(`${JSON.stringify({ url: server.url, skipped: store.skipped })}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
