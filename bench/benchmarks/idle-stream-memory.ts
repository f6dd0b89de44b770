import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CannedServerProcess } from '../canned/canned-server-process.js';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { BenchChild } from '../harness/child-process.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure } from '../harness/result-types.js';
import { type HolderName, holderLabels, holderNames } from './idle-stream-holders.js';

const entry = fileURLToPath(new URL('./idle-stream-memory-entry.ts', import.meta.url));
const kibibyte = 1024;

export async function runIdleStreamMemory(context: BenchContext): Promise<BenchmarkResult> {
  const benchmarkStarted = Date.now();
  const count = bySize(context.size, { tiny: 50, full: 1_000 });
  const rounds = bySize(context.size, { tiny: 2, full: 3 });
  // Full collections before each reading: two at full size (the first can leave weakly held
  // garbage), one at the tiny size, where each takes a noticeable share of the run.
  const collections = bySize(context.size, { tiny: 1, full: 2 });
  const server = await CannedServerProcess.start(10);
  const apiRoot = server.apiRoot('hold');
  // At full size, one child per client, so one's heap never counts against another's; the tiny
  // size (which only proves the harness) puts all three in one child, as start-up is most of it.
  const groups: HolderName[][] =
    context.size === 'full' ? holderNames.map((name) => [name]) : [[...holderNames]];
  const children = new Map<HolderName, BenchChild>();
  const heap = Object.fromEntries(holderNames.map((name) => [name, [] as number[]])) as Record<
    HolderName,
    number[]
  >;
  const rss = structuredClone(heap);
  try {
    // Started together: each is idle until asked.
    const started = await Promise.all(
      groups.map((group) =>
        BenchChild.start(entry, { nodeFlags: ['--expose-gc'], args: [apiRoot, group.join(',')] }),
      ),
    );
    for (const [index, group] of groups.entries()) {
      for (const name of group) children.set(name, started[index]!.child);
    }
    context.log(`idle-stream-memory: ${count} idle streams per client, ${rounds} rounds`);
    for (let round = 0; round < rounds; round += 1) {
      // Interleaved like the other benchmarks; the start rotates each round.
      for (let index = 0; index < holderNames.length; index += 1) {
        const name = holderNames[(index + round) % holderNames.length]!;
        const child = children.get(name)!;
        const opened = await child.request({ type: 'open', name, count, collections }, 'opened');
        const held = await server.heldCount();
        if (held !== count) throw new Error(`${name}: the server holds ${held} streams, expected ${count}`);
        heap[name].push((opened.heapPerStream as number) / kibibyte);
        rss[name].push((opened.rssPerStream as number) / kibibyte);
        await child.request({ type: 'release' }, 'released');
        // The server sees the last closes a moment after the client makes them.
        for (let wait = 0; wait < 500 && (await server.heldCount()) > 0; wait += 1) await sleep(20);
      }
    }
  } finally {
    await Promise.all([...new Set(children.values())].map((child) => child.stop()));
    await server.stop();
  }
  const figures: Figure[] = [];
  for (const name of holderNames) {
    figures.push(
      makeFigure(
        {
          id: `${name}-heap`,
          label: `${holderLabels[name]}: heap per idle stream`,
          unit: 'KiB',
          ...(name === 'aiaas' ? { target: { comparison: '<=', value: 20 } } : {}),
        },
        heap[name],
      ),
      makeFigure(
        { id: `${name}-rss`, label: `${holderLabels[name]}: RSS per idle stream`, unit: 'KiB' },
        rss[name],
      ),
    );
  }
  const series = (name: HolderName) => ({ id: `${name}-heap`, samples: heap[name] });
  return {
    name: 'idle-stream-memory',
    title: `Memory: ${count} concurrent idle open streams`,
    notes: [
      'Each client in its own child (node --expose-gc --import tsx; all in one at the tiny size); figures after two full GCs.',
      'A stream is idle once its first event has arrived; the server then sends nothing more.',
      'The server (another child) is checked to hold exactly that many streams at measurement time.',
    ],
    figures,
    ratios: [
      makeRatio(
        { id: 'aiaas-vs-undici-heap', label: 'AiaasClient / raw undici heap per stream (lower is leaner)' },
        series('aiaas'),
        series('undici'),
      ),
      makeRatio(
        { id: 'aiaas-vs-openai-heap', label: 'AiaasClient / openai v6 heap per stream (lower is leaner)' },
        series('aiaas'),
        series('openai'),
      ),
    ],
    durationMs: Date.now() - benchmarkStarted,
  };
}
