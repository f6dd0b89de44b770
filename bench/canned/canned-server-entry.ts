// Runs the canned server in its own process (see canned-server-process.ts for why). Run by hand
// (`npx tsx bench/canned/canned-server-entry.ts [chunks] [port]`) it prints its URL, for profiling.
import { onParentMessage, tellParent } from '../harness/child-process.js';
import { startCannedServer } from './canned-server.js';

const streamChunkCount = Number(process.argv[2] ?? 10_000);
const port = Number(process.argv[3] ?? 0);
const server = await startCannedServer(streamChunkCount, port);

onParentMessage(async (message) => {
  if (message.type === 'stream-bytes') tellParent({ type: 'stream-bytes', bytes: server.streamBytes });
  if (message.type === 'held-count') tellParent({ type: 'held-count', count: server.heldCount() });
  if (message.type === 'release-held') {
    server.releaseHeld();
    tellParent({ type: 'released' });
  }
  if (message.type === 'stop') {
    await server.close();
    process.exit(0);
  }
});

if (process.send) tellParent({ type: 'ready', port: server.port });
else process.stdout.write(`canned server on http://127.0.0.1:${server.port}\n`);
