import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { dataEventCount } from '../canned/canned-responses.js';
import { CannedServerProcess } from '../canned/canned-server-process.js';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { timeWork } from '../harness/cpu-time.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { loadSdk } from '../harness/load-sdk.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure, Ratio } from '../harness/result-types.js';

const params = {
  model: 'bench-model',
  messages: [{ role: 'user' as const, content: 'Tell me a long story.' }],
};
const apiKey = 'sk-bench';
const contenderNames = ['aiaas', 'raw', 'openai'] as const;
type ContenderName = (typeof contenderNames)[number];
const labels: Record<ContenderName, string> = {
  aiaas: 'AiaasClient stream',
  raw: 'raw undici + eventsource-parser + JSON.parse',
  openai: 'openai v6 stream',
};

/** What one read of the whole stream saw, to check every contender read all of it. */
interface StreamRead {
  dataEvents: number;
  bytes: number;
}

async function makeReaders(apiRoot: string, bodyBytes: number) {
  const { AiaasClient } = await loadSdk();
  const url = `${apiRoot}/chat/completions`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const aiaas = new AiaasClient({ baseURL: apiRoot, apiKey, provider: 'openai' });
  const openai = new OpenAI({ baseURL: apiRoot, apiKey });
  const readers: Record<ContenderName, () => Promise<StreamRead>> = {
    // Each reader consumes every chunk as its users would: typed events, parsed chunks.
    aiaas: async () => {
      const stream = await aiaas.chat.completions.stream(params);
      let textDeltas = 0;
      for await (const event of stream) if (event.type === 'text-delta') textDeltas += 1;
      // The first and the finishing chunks carry no text; the usage chunk is one more data event.
      return { dataEvents: textDeltas + 3, bytes: bodyBytes };
    },
    raw: async () => {
      const response = await request(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...params, stream: true, stream_options: { include_usage: true } }),
        dispatcher: agent,
      });
      let dataEvents = 0;
      let bytes = 0;
      const parser = createParser({
        onEvent(event) {
          if (event.data === '[DONE]') return;
          JSON.parse(event.data);
          dataEvents += 1;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      return { dataEvents, bytes };
    },
    openai: async () => {
      const stream = await openai.chat.completions.create({
        ...params,
        stream: true,
        stream_options: { include_usage: true },
      });
      let dataEvents = 0;
      for await (const _chunk of stream) dataEvents += 1;
      return { dataEvents, bytes: bodyBytes };
    },
  };
  const close = async () => {
    await agent.close();
    await aiaas.close();
  };
  return { readers, close };
}

export async function runStreamingParse(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const chunkCount = bySize(context.size, { tiny: 500, full: 10_000 });
  const rounds = bySize(context.size, { tiny: 2, full: 15 });
  const server = await CannedServerProcess.start(chunkCount);
  const bodyBytes = await server.streamBodyBytes();
  const expectedEvents = dataEventCount(chunkCount);
  const { readers, close } = await makeReaders(server.apiRoot('stream'), bodyBytes);
  const eventsPerSecond = {} as Record<ContenderName, number[]>;
  const megabytesPerSecond: Record<ContenderName, number[]> = { aiaas: [], raw: [], openai: [] };
  // Events per CPU second of this process (the client alone): steady when the machine is busy.
  const eventsPerCpuSecond: Record<ContenderName, number[]> = { aiaas: [], raw: [], openai: [] };
  try {
    context.log(`streaming-parse: ${chunkCount} chunks (${bodyBytes} bytes), ${rounds} rounds`);
    const contenders = Object.fromEntries(
      contenderNames.map((name) => [
        name,
        async () => {
          const { result: read, wallMs, cpuMs } = await timeWork(readers[name]);
          const seconds = wallMs / 1000;
          if (read.dataEvents !== expectedEvents) {
            throw new Error(`${name} read ${read.dataEvents} data events, expected ${expectedEvents}`);
          }
          megabytesPerSecond[name].push(read.bytes / 2 ** 20 / seconds);
          eventsPerCpuSecond[name].push(read.dataEvents / (cpuMs / 1000));
          return read.dataEvents / seconds;
        },
      ]),
    ) as Record<ContenderName, () => Promise<number>>;
    const samples = await runInterleaved(contenders, { rounds, warmupRounds: context.warmupRounds });
    for (const name of contenderNames) {
      eventsPerSecond[name] = samples[name];
      // The warm-up round's throughput is dropped, like its events/s.
      megabytesPerSecond[name] = megabytesPerSecond[name].slice(-rounds);
      eventsPerCpuSecond[name] = eventsPerCpuSecond[name].slice(-rounds);
    }
  } finally {
    await close();
    await server.stop();
  }
  const figures: Figure[] = [];
  for (const name of contenderNames) {
    figures.push(
      makeFigure({ id: `${name}-events`, label: `${labels[name]}`, unit: 'events/s' }, eventsPerSecond[name]),
      makeFigure(
        { id: `${name}-throughput`, label: `${labels[name]}`, unit: 'MiB/s' },
        megabytesPerSecond[name],
      ),
      makeFigure(
        { id: `${name}-cpu`, label: `${labels[name]}`, unit: 'events/CPU-s' },
        eventsPerCpuSecond[name],
      ),
    );
  }
  const series = (name: ContenderName) => ({ id: `${name}-events`, samples: eventsPerSecond[name] });
  const ratios: Ratio[] = [
    makeRatio(
      {
        id: 'aiaas-vs-raw',
        label: 'AiaasClient stream / raw eventsource-parser',
        target: { comparison: '>=', value: 0.8 },
      },
      series('aiaas'),
      series('raw'),
    ),
    makeRatio(
      {
        id: 'aiaas-vs-raw-cpu',
        label: 'AiaasClient stream / raw eventsource-parser, events per CPU second',
      },
      { id: 'aiaas-cpu', samples: eventsPerCpuSecond.aiaas },
      { id: 'raw-cpu', samples: eventsPerCpuSecond.raw },
    ),
    makeRatio(
      {
        id: 'aiaas-vs-openai',
        label: 'AiaasClient stream / openai v6',
        target: { comparison: '>=', value: 1.3 },
      },
      series('aiaas'),
      series('openai'),
    ),
  ];
  return {
    name: 'streaming-parse',
    title: `Streaming parse: one stream of ${chunkCount} chat chunks per round`,
    notes: [
      'The canned server writes the whole SSE body at once, so the time is the client reading and parsing it.',
      'events/s counts SSE data events (chunks + the usage chunk) over the whole call, request included.',
    ],
    figures,
    ratios,
    durationMs: Date.now() - started,
  };
}
