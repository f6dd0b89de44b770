import {
  type ReferenceServerOptions,
  silentServerLogger,
  startReferenceServer,
} from '../../../src/server/index.js';

/** What the parent asks over IPC. */
export type ProbeRequest = { type: 'memory' } | { type: 'reset-peak' } | { type: 'close' };

/** What this process answers over IPC. */
export type ProbeMessage =
  | { type: 'listening'; url: string }
  | { type: 'memory'; rss: number; peakRss: number }
  | { type: 'closed' };

/**
 * A reference server in a process of its own, so a test can read the server's memory alone:
 * `node --import tsx memory-probe-server.ts '<options as JSON>'`. It says `listening` with its
 * URL over IPC, answers `memory` with its resident set size now and the highest sampled since
 * start or the last `reset-peak`, and closes on `close`.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as ReferenceServerOptions;
const server = await startReferenceServer({ ...options, port: 0, logger: silentServerLogger });
const send = (message: ProbeMessage) => process.send?.(message);

let peakRss = process.memoryUsage.rss();
// Bodies are held for seconds, so sampling every 10 ms sees every plateau that matters.
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10);

process.on('message', (message: ProbeRequest) => {
  if (message.type === 'memory') {
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    send({ type: 'memory', rss, peakRss });
  } else if (message.type === 'reset-peak') {
    peakRss = process.memoryUsage.rss();
  } else if (message.type === 'close') {
    clearInterval(sampler);
    void server.close().then(() => {
      send({ type: 'closed' });
      process.disconnect();
    });
  }
});
send({ type: 'listening', url: server.url });
