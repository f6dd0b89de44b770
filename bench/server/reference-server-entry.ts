// Runs the reference server in its own process and watches its event loop: the delay figures
// must come from inside the server, and the load generator must not share its event loop.
// Run by hand (`node --cpu-prof --import tsx bench/server/reference-server-entry.ts '{}'`) it
// prints its URL and stops cleanly on SIGTERM, so a profile is written.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ReferenceServerOptions } from '../../src/server/index.js';
import { onParentMessage, tellParent } from '../harness/child-process.js';
import { loadServer } from '../harness/load-sdk.js';

const { silentServerLogger, startReferenceServer } = await loadServer();

const options = JSON.parse(process.argv[2] ?? '{}') as ReferenceServerOptions;
const server = await startReferenceServer({ ...options, port: 0, logger: silentServerLogger });
// 1 ms resolution: a 20 ms target needs finer steps than the 10 ms default.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const milliseconds = (nanoseconds: number) => nanoseconds / 1e6;

onParentMessage(async (message) => {
  if (message.type === 'reset-loop-delay') {
    loopDelay.reset();
    tellParent({ type: 'loop-delay-reset' });
  }
  if (message.type === 'loop-delay') {
    tellParent({
      type: 'loop-delay',
      p50: milliseconds(loopDelay.percentile(50)),
      p99: milliseconds(loopDelay.percentile(99)),
      max: milliseconds(loopDelay.max),
    });
  }
  if (message.type === 'stop') {
    loopDelay.disable();
    await server.close();
    process.exit(0);
  }
});

if (process.send) tellParent({ type: 'ready', url: server.url, models: [...server.models] });
else {
  process.stdout.write(`reference server on ${server.url}\n`);
  process.once('SIGTERM', async () => {
    await server.close();
    process.exit(0);
  });
}
