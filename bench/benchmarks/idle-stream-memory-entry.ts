// Runs in a child started with --expose-gc, so heap figures are taken after full collections and
// the process holds nothing but its clients (one, at full size) and their idle streams.
// Arguments: the API root, then the comma-separated names of the clients to hold streams for.
import { setTimeout as sleep } from 'node:timers/promises';
import { onParentMessage, tellParent } from '../harness/child-process.js';
import { createHolder, type HolderName, type IdleStreamHolder } from './idle-stream-holders.js';

const [apiRoot, names] = process.argv.slice(2) as [string, string];
const holders = new Map<HolderName, IdleStreamHolder>();
for (const name of names.split(',') as HolderName[]) holders.set(name, await createHolder(name, apiRoot));
const collect = globalThis.gc;
if (collect === undefined) throw new Error('run with --expose-gc');

/** Heap and RSS after full collections. */
async function settledMemory(collections: number): Promise<{ heap: number; rss: number }> {
  await sleep(50);
  for (let index = 0; index < collections; index += 1) collect!();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

async function openMany(holder: IdleStreamHolder, count: number): Promise<(() => void)[]> {
  return Promise.all(Array.from({ length: count }, () => holder.open()));
}

let open: (() => void)[] = [];

/** Opens `count` streams and keeps them open (the parent checks the server holds them all). */
async function openAndMeasure(holder: IdleStreamHolder, count: number, collections: number) {
  const before = await settledMemory(collections);
  open = await openMany(holder, count);
  const held = await settledMemory(collections);
  return {
    heapPerStream: (held.heap - before.heap) / count,
    rssPerStream: (held.rss - before.rss) / count,
  };
}

onParentMessage(async (message) => {
  if (message.type === 'open') {
    const holder = holders.get(message.name as HolderName)!;
    tellParent({
      type: 'opened',
      ...(await openAndMeasure(holder, message.count as number, message.collections as number)),
    });
  }
  if (message.type === 'release') {
    for (const close of open) close();
    open = [];
    await sleep(100);
    tellParent({ type: 'released' });
  }
  if (message.type === 'stop') {
    for (const holder of holders.values()) await holder.close();
    process.exit(0);
  }
});

// One-time costs (module code, lazily built parser state, the first sockets) are paid before measuring.
for (const holder of holders.values()) for (const close of await openMany(holder, 20)) close();
await sleep(100);
tellParent({ type: 'ready' });
