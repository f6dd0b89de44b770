import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult } from '../harness/result-types.js';
import { ReferenceServerProcess } from './reference-server-process.js';
import { ServerLoad } from './server-load.js';

/** A 5-field object, as a typical structured-output request asks for. */
const fiveFieldFormat = {
  response_format: {
    type: 'json_schema',
    json_schema: {
      name: 'citizen',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 24 },
          age: { type: 'integer' },
          city: { type: 'string', maxLength: 24 },
          voter: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string', maxLength: 12 }, maxItems: 3 },
        },
        required: ['name', 'age', 'city', 'voter', 'tags'],
        additionalProperties: false,
      },
    },
  },
};

export async function runStructuredDecoding(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rounds = bySize(context.size, { tiny: 2, full: 5 });
  const durationMs = bySize(context.size, { tiny: 150, full: 1_500 });
  const maxTokens = 64;
  const concurrency = 8;
  context.log(
    `structured-decoding: ref-chat plain vs 5-field json_schema, concurrency ${concurrency}, ${rounds} rounds`,
  );
  const server = await ReferenceServerProcess.start({ seed: 42, apiKeys: ['sk-bench'] });
  const load = new ServerLoad();
  try {
    const samples = await runInterleaved(
      {
        plain: async () => (await load.chat(server, concurrency, durationMs, maxTokens)).rate,
        constrained: async () =>
          (await load.chat(server, concurrency, durationMs, maxTokens, fiveFieldFormat)).rate,
      },
      { rounds, warmupRounds: context.warmupRounds },
    );
    return {
      name: 'structured-decoding',
      title: 'Reference server: ref-chat constrained decoding (json_schema) vs plain text',
      notes: [
        'The reference server in its own child process; the load generator (raw undici) shares the 2 cores.',
        `Requests ask for up to ${maxTokens} tokens with a different seed each; tokens are the server's completion_tokens.`,
        'Constrained requests carry a strict 5-field json_schema (strings, integer, boolean, array of strings).',
      ],
      figures: [
        makeFigure(
          { id: 'plain', label: `ref-chat plain text, concurrency ${concurrency}`, unit: 'tokens/s' },
          samples.plain,
        ),
        makeFigure(
          {
            id: 'constrained',
            label: `ref-chat 5-field json_schema, concurrency ${concurrency}`,
            unit: 'tokens/s',
          },
          samples.constrained,
        ),
      ],
      ratios: [
        makeRatio(
          {
            id: 'constrained-vs-plain',
            label: 'ref-chat tokens/s, constrained / plain',
            target: { comparison: '>=', value: 0.5 },
          },
          { id: 'constrained', samples: samples.constrained },
          { id: 'plain', samples: samples.plain },
        ),
      ],
      durationMs: Date.now() - started,
    };
  } finally {
    await load.close();
    await server.stop();
  }
}
