import { describe, expect, it } from 'vitest';
import { buildLocalTokenizerFile } from '../../../../scripts/lib/local-vocabulary.js';
import { ChatGenerator, GenerationState } from '../../../../src/server/generation/chat-generator.js';
import { ChatTokenizer } from '../../../../src/server/generation/chat-tokenizer.js';
import type {
  GenerationResult,
  GenerationStep,
  LogitsFunction,
  SamplingOptions,
} from '../../../../src/server/generation/model-contracts.js';

// Every text the tests script is a document of its own, so all its tokens are in the vocabulary.
const scriptedTexts = [
  ' world!',
  ' world world world world',
  ' hi\nUser: hello',
  ' 🦜',
  'Hello',
  'the end',
  'Hello world',
];
const tokenizer = new ChatTokenizer(buildLocalTokenizerFile(scriptedTexts, 200), 4);
const greedy: SamplingOptions = { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 50, stop: [] };

/** A stand-in network that always makes `script[step]` the most likely token, then end-of-text. */
function scriptedLogits(script: readonly number[], seen: BigInt64Array[] = []): LogitsFunction {
  let step = 0;
  return async (contexts, batchSize) => {
    seen.push(contexts.slice());
    const logits = new Float32Array(batchSize * tokenizer.vocabSize);
    const next = script[step++] ?? tokenizer.endOfTextId;
    for (let row = 0; row < batchSize; row++) logits[row * tokenizer.vocabSize + next] = 10;
    return logits;
  };
}

/** A stand-in network whose logits are a fixed pseudo-random function of the context window. */
const contextHashLogits: LogitsFunction = async (contexts, batchSize) => {
  const size = tokenizer.contextLength;
  const logits = new Float32Array(batchSize * tokenizer.vocabSize);
  for (let row = 0; row < batchSize; row++) {
    let hash = 17;
    for (let slot = 0; slot < size; slot++) hash = (hash * 31 + Number(contexts[row * size + slot])) >>> 0;
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      logits[row * tokenizer.vocabSize + id] = Math.sin(hash * 0.001 + id * 1.7) * 3;
    }
  }
  return logits;
};

async function collect(
  generator: ChatGenerator,
  promptIds: readonly number[],
  options: SamplingOptions,
  signal?: AbortSignal,
): Promise<{ steps: GenerationStep[]; result: GenerationResult }> {
  const run = generator.generate(promptIds, options, signal);
  const steps: GenerationStep[] = [];
  for (let next = await run.next(); ; next = await run.next()) {
    if (next.done) return { steps, result: next.value };
    steps.push(next.value);
  }
}

describe('ChatGenerator', () => {
  it('feeds left-padded windows and stops at end-of-text', async () => {
    const script = tokenizer.encode(' world!');
    const seen: BigInt64Array[] = [];
    const prompt = tokenizer.encode('Hello');
    const { steps, result } = await collect(
      new ChatGenerator(tokenizer, scriptedLogits(script, seen)),
      prompt,
      greedy,
    );
    const pad = BigInt(tokenizer.padId);
    expect([...seen[0]!]).toEqual([...Array(4 - prompt.length).fill(pad), ...prompt.map(BigInt)]);
    expect([...seen[1]!].slice(-1)).toEqual([BigInt(script[0]!)]);
    expect(result).toEqual({ text: ' world!', completionTokens: script.length + 1, finishReason: 'stop' });
    expect(steps.map((step) => step.textDelta).join('')).toBe(result.text);
    expect(steps.at(-1)!.tokenId).toBe(tokenizer.endOfTextId);
  });

  it('finishes with length at maxTokens', async () => {
    const script = tokenizer.encode(' world world world world');
    const { result } = await collect(new ChatGenerator(tokenizer, scriptedLogits(script)), [], {
      ...greedy,
      maxTokens: 2,
    });
    expect(result).toEqual({ text: ' world world', completionTokens: 2, finishReason: 'length' });
  });

  it('cuts at a stop sequence, never emitting it or any part of it', async () => {
    const script = tokenizer.encode(' hi\nUser: hello');
    const options = { ...greedy, stop: ['\nUser:'] };
    const { steps, result } = await collect(
      new ChatGenerator(tokenizer, scriptedLogits(script)),
      [],
      options,
    );
    expect(result.text).toBe(' hi');
    expect(result.finishReason).toBe('stop');
    const emitted = steps.map((step) => step.textDelta);
    expect(emitted.join('')).toBe(' hi');
    for (const delta of emitted) expect(delta).not.toContain('\n');
  });

  it('emits a multi-byte character only once all its tokens have arrived', async () => {
    const script = tokenizer.encode(' 🦜');
    expect(script.length).toBeGreaterThan(1);
    const { steps, result } = await collect(new ChatGenerator(tokenizer, scriptedLogits(script)), [], greedy);
    expect(result.text).toBe(' 🦜');
    for (const step of steps) expect(step.textDelta).not.toContain('\uFFFD');
    expect(steps.some((step) => step.textDelta === '')).toBe(true);
  });

  it('never generates the unknown token, even when it is the most likely', async () => {
    const script = [tokenizer.unknownId, tokenizer.unknownId];
    const { result } = await collect(new ChatGenerator(tokenizer, scriptedLogits(script)), [], {
      ...greedy,
      maxTokens: 2,
    });
    expect(result.text).not.toContain('\uFFFD');
  });

  it('gives the same text for the same seed, prompt and options', async () => {
    const generator = new ChatGenerator(tokenizer, contextHashLogits);
    const options = { temperature: 1, topP: 0.95, topK: 20, seed: 5, maxTokens: 30, stop: [] };
    const prompt = tokenizer.encode('Hello world');
    const first = await collect(generator, prompt, options);
    const second = await collect(generator, prompt, options);
    const otherSeed = await collect(generator, prompt, { ...options, seed: 6 });
    expect(second.result).toEqual(first.result);
    expect(second.steps).toEqual(first.steps);
    expect(otherSeed.steps.map((step) => step.tokenId)).not.toEqual(first.steps.map((step) => step.tokenId));
  });

  it('throws the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    const generator = new ChatGenerator(tokenizer, contextHashLogits);
    await expect(collect(generator, [], greedy, controller.signal)).rejects.toThrow('client went away');
  });

  it('lets a batcher step many sequences with one logits call and get the same results', async () => {
    const options = (seed: number) => ({ temperature: 0.9, topP: 1, topK: 0, seed, maxTokens: 12, stop: [] });
    const prompts = [tokenizer.encode('Hello'), tokenizer.encode('the end'), []];
    const states = prompts.map((prompt, index) => new GenerationState(tokenizer, prompt, options(index)));
    while (states.some((state) => !state.done)) {
      const active = states.filter((state) => !state.done);
      const batch = new BigInt64Array(active.length * tokenizer.contextLength);
      active.forEach((state, row) => {
        state.writeContext(batch, row);
      });
      const logits = await contextHashLogits(batch, active.length);
      active.forEach((state, row) => {
        state.step(logits.subarray(row * tokenizer.vocabSize, (row + 1) * tokenizer.vocabSize));
      });
    }
    for (const [index, prompt] of prompts.entries()) {
      const alone = await collect(new ChatGenerator(tokenizer, contextHashLogits), prompt, options(index));
      expect(states[index]!.result).toEqual(alone.result);
    }
  });

  it('finishes at once with maxTokens 0 and refuses to step a finished state', () => {
    const state = new GenerationState(tokenizer, [], { ...greedy, maxTokens: 0 });
    expect(state.result).toEqual({ text: '', completionTokens: 0, finishReason: 'length' });
    expect(() => state.step(new Float32Array(tokenizer.vocabSize))).toThrow();
  });
});
