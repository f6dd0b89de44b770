import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { timeWork } from '../harness/cpu-time.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import { type CostLayerPart, type CostLayerSettings, sampleText } from './cost-layer-workloads.js';

/** Token estimates over a prompt-like text: the SDK's `estimateTokens` and the tokenizer it wraps. */
export async function measureTokenEstimate(
  settings: CostLayerSettings,
  textBytes: number,
): Promise<CostLayerPart> {
  // Rounds are short (milliseconds) and the tokenizer's cache and GC make them noisy: take more of them.
  const rounds = settings.rounds * 3;
  const { cost } = settings;
  const text = sampleText(textBytes);
  const megabytes = Buffer.byteLength(text) / 2 ** 20;
  const plainText = { disallowedSpecial: new Set<string>() };
  // Per CPU second rather than per clock second: tokenizing is CPU-bound, and on a shared machine
  // the clock also counts time spent waiting for a core.
  const throughput = (count: () => number) => async () => {
    const { cpuMs } = await timeWork(async () => count());
    return megabytes / (cpuMs / 1000);
  };
  settings.log(`cost-layer: token estimate over ${textBytes} bytes, ${rounds} rounds`);
  const samples = await runInterleaved(
    {
      estimate: throughput(() => cost.estimateTokens(text)),
      direct: throughput(() => countTokens(text, plainText)),
    },
    { rounds, warmupRounds: settings.warmupRounds },
  );
  return {
    figures: [
      makeFigure(
        { id: 'estimate-tokens', label: 'estimateTokens (o200k_base)', unit: 'MiB/CPU-s' },
        samples.estimate,
      ),
      makeFigure(
        {
          id: 'count-tokens',
          label: 'gpt-tokenizer countTokens called directly (the limit)',
          unit: 'MiB/CPU-s',
        },
        samples.direct,
      ),
    ],
    ratios: [
      makeRatio(
        { id: 'estimate-vs-direct', label: 'estimateTokens / gpt-tokenizer countTokens' },
        { id: 'estimate-tokens', samples: samples.estimate },
        { id: 'count-tokens', samples: samples.direct },
      ),
    ],
    notes: [],
  };
}
