import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import { type CostLayerPart, type CostLayerSettings, sampleText } from './cost-layer-workloads.js';

/** Token estimates over a prompt-like text: the SDK's `estimateTokens` and the tokenizer it wraps. */
export async function measureTokenEstimate(
  settings: CostLayerSettings,
  textBytes: number,
): Promise<CostLayerPart> {
  const { cost, rounds } = settings;
  const text = sampleText(textBytes);
  const megabytes = Buffer.byteLength(text) / 2 ** 20;
  const plainText = { disallowedSpecial: new Set<string>() };
  const throughput = (count: () => number) => async () => {
    const started = performance.now();
    count();
    return megabytes / ((performance.now() - started) / 1000);
  };
  settings.log(`cost-layer: token estimate over ${textBytes} bytes, ${rounds} rounds`);
  const samples = await runInterleaved(
    {
      estimate: throughput(() => cost.estimateTokens(text)),
      direct: throughput(() => countTokens(text, plainText)),
    },
    { rounds, warmupRounds: 1 },
  );
  return {
    figures: [
      makeFigure(
        { id: 'estimate-tokens', label: 'estimateTokens (o200k_base)', unit: 'MiB/s' },
        samples.estimate,
      ),
      makeFigure(
        { id: 'count-tokens', label: 'gpt-tokenizer countTokens called directly (the limit)', unit: 'MiB/s' },
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
