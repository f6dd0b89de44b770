// Runs in a child started with --expose-gc, so heap figures are taken after full collections and
// the process holds nothing but one client and its idle streams.
import { setTimeout as sleep } from 'node:timers/promises';
import { onParentMessage, tellParent } from '../harness/child-process.js';
import { createHolder, type HolderName } from './idle-stream-holders.js';

const [name, apiRoot] = process.argv.slice(2) as [HolderName, string];
const holder = await createHolder(name, apiRoot);
const collect = globalThis.gc;
if (collect === undefined) throw new Error('run with --expose-gc');

/** Heap and RSS after collections; twice, because the first can leave weakly held garbage. */
async function settledMemory(): Promise<{ heap: number; rss: number }> {
  await sleep(50);
  collect!();
  collect!();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

async function openMany(count: number): Promise<(() => void)[]> {
  return Promise.all(Array.from({ length: count }, () => holder.open()));
}

let open: (() => void)[] = [];

/** Opens `count` streams and keeps them open (the parent checks the server holds them all). */
async function openAndMeasure(count: number) {
  const before = await settledMemory();
  open = await openMany(count);
  const held = await settledMemory();
  return {
    heapPerStream: (held.heap - before.heap) / count,
    rssPerStream: (held.rss - before.rss) / count,
  };
}

onParentMessage(async (message) => {
  if (message.type === 'open') {
    tellParent({ type: 'opened', ...(await openAndMeasure(message.count as number)) });
  }
  if (message.type === 'release') {
    for (const close of open) close();
    open = [];
    await sleep(100);
    tellParent({ type: 'released' });
  }
  if (message.type === 'stop') {
    await holder.close();
    process.exit(0);
  }
});

// One-time costs (module code, lazily built parser state, the first sockets) are paid before measuring.
for (const close of await openMany(20)) close();
await sleep(100);
tellParent({ type: 'ready' });
