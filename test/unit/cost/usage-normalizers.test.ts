import { describe, expect, it } from 'vitest';
import { totalInputTokens, totalOutputTokens, type Usage, usageValues } from '../../../src/cost/usage.js';
import {
  normalizeAiaasUsage,
  normalizeAnthropicUsage,
  normalizeOipUsage,
  normalizeOllamaUsage,
  normalizeOpenAIUsage,
} from '../../../src/cost/usage-normalizers.js';
import { ValidationError } from '../../../src/errors/index.js';

const tokenSum = (usage: Usage) => totalInputTokens(usage) + totalOutputTokens(usage);

describe('normalizeOpenAIUsage', () => {
  it('splits cached prompt tokens and reasoning tokens out of the totals (o1-style response)', () => {
    const raw = {
      prompt_tokens: 1117,
      completion_tokens: 946,
      total_tokens: 2063,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 704,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    const usage = normalizeOpenAIUsage(raw);
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 93,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      outputTokens: 242,
      reasoningTokens: 704,
      requests: 1,
    });
    expect(tokenSum(usage)).toBe(raw.total_tokens);
    expect(totalInputTokens(usage)).toBe(raw.prompt_tokens);
    expect(totalOutputTokens(usage)).toBe(raw.completion_tokens);
    expect(usage.inputTokens.provenance).toBe('reported');
  });

  it('reads the Responses API names', () => {
    const raw = {
      input_tokens: 328,
      input_tokens_details: { cached_tokens: 128 },
      output_tokens: 52,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 380,
    };
    const usage = normalizeOpenAIUsage(raw);
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 200,
      cacheReadTokens: 128,
      outputTokens: 40,
      reasoningTokens: 12,
    });
    expect(tokenSum(usage)).toBe(380);
  });

  it('treats an Anthropic-style cache_creation_input_tokens as its own bucket inside prompt_tokens', () => {
    const raw = {
      prompt_tokens: 2100,
      completion_tokens: 50,
      total_tokens: 2150,
      prompt_tokens_details: { cached_tokens: 500 },
      cache_creation_input_tokens: 1500,
    };
    const usage = normalizeOpenAIUsage(raw);
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 100,
      cacheReadTokens: 500,
      cacheWriteTokens: 1500,
      outputTokens: 50,
    });
    expect(tokenSum(usage)).toBe(raw.total_tokens);
  });

  it('accepts null details (as some compatible servers send)', () => {
    const usage = normalizeOpenAIUsage({
      prompt_tokens: 9,
      completion_tokens: 12,
      total_tokens: 21,
      prompt_tokens_details: null,
      completion_tokens_details: null,
    });
    expect(usageValues(usage)).toMatchObject({ inputTokens: 9, outputTokens: 12 });
  });

  it('rejects impossible or malformed counts with a ValidationError naming the field', () => {
    expect(() =>
      normalizeOpenAIUsage({
        prompt_tokens: 10,
        completion_tokens: 0,
        prompt_tokens_details: { cached_tokens: 11 },
      }),
    ).toThrow(ValidationError);
    try {
      normalizeOpenAIUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        completion_tokens_details: { reasoning_tokens: 6 },
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).path).toBe('completion_tokens_details.reasoning_tokens');
      expect((error as ValidationError).subject).toBe('response');
    }
    expect(() => normalizeOpenAIUsage({ prompt_tokens: -1 })).toThrow(/prompt_tokens/);
    expect(() => normalizeOpenAIUsage({ completion_tokens: 3 })).toThrow(
      /neither prompt_tokens nor input_tokens/,
    );
  });

  it('carries the provenance and request count asked for', () => {
    const usage = normalizeOpenAIUsage(
      { prompt_tokens: 3, completion_tokens: 4 },
      { provenance: 'recovered', requests: 0 },
    );
    expect(usage.inputTokens.provenance).toBe('recovered');
    expect(usage.requests.value).toBe(0);
  });
});

describe('normalizeAnthropicUsage', () => {
  it('keeps input_tokens as uncached input, beside cache reads and writes', () => {
    const raw = {
      input_tokens: 2095,
      output_tokens: 503,
      cache_creation_input_tokens: 2051,
      cache_read_input_tokens: 0,
    };
    const usage = normalizeAnthropicUsage(raw);
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 2095,
      cacheWriteTokens: 2051,
      cacheReadTokens: 0,
      outputTokens: 503,
    });
    expect(tokenSum(usage)).toBe(2095 + 2051 + 503);
  });
});

describe('normalizeOllamaUsage', () => {
  it('maps eval counts to tokens and nanosecond durations to compute ms', () => {
    const raw = {
      model: 'llama3.2',
      created_at: '2023-08-04T19:22:45.499127Z',
      message: { role: 'assistant', content: '' },
      done: true,
      total_duration: 4_883_583_458,
      load_duration: 1_334_875,
      prompt_eval_count: 26,
      prompt_eval_duration: 342_546_000,
      eval_count: 282,
      eval_duration: 4_535_599_000,
    };
    const usage = normalizeOllamaUsage(raw);
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 26,
      outputTokens: 282,
      computeMs: 4884,
      requests: 1,
    });
    expect(tokenSum(usage)).toBe(raw.prompt_eval_count + raw.eval_count);
  });

  it('treats a missing prompt_eval_count (prompt fully cached) as zero and sums partial durations', () => {
    const usage = normalizeOllamaUsage({
      eval_count: 5,
      prompt_eval_duration: 1_400_000,
      eval_duration: 2_200_000,
    });
    expect(usageValues(usage)).toMatchObject({ inputTokens: 0, outputTokens: 5, computeMs: 4 });
  });

  it("takes the compute a server bills (aiaas/server's compute_ms) over the durations", () => {
    const usage = normalizeOllamaUsage({ eval_count: 5, total_duration: 90_000_000, compute_ms: 12 });
    expect(usageValues(usage)).toMatchObject({ outputTokens: 5, computeMs: 12 });
  });
});

describe('normalizeOipUsage', () => {
  const request = {
    inputs: [
      { name: 'input_ids', shape: [1, 4], datatype: 'INT64', data: [1, 2, 3, 4] },
      { name: 'mask', shape: [2, 3], datatype: 'FP32', data: [1, 1, 1, 1, 1, 1] },
    ],
  };
  const response = {
    model_name: 'ref-embed',
    outputs: [{ name: 'y', shape: [1, 3], datatype: 'FP32', data: [0, 0, 0] }],
  };

  it('counts input tensor elements and the bytes exchanged', () => {
    const usage = normalizeOipUsage({ request, response, bytesIn: 182, bytesOut: 97, computeMs: 3 });
    expect(usageValues(usage)).toMatchObject({
      tensorElements: 10,
      bytesIn: 182,
      bytesOut: 97,
      computeMs: 3,
      requests: 1,
    });
  });

  it('can count output or all tensors instead', () => {
    expect(normalizeOipUsage({ request, response, countTensors: 'outputs' }).tensorElements.value).toBe(3);
    expect(
      normalizeOipUsage({ request, response, countTensors: 'inputs-and-outputs' }).tensorElements.value,
    ).toBe(13);
  });

  it('counts a request that names the outputs it wants (which carry no shapes)', () => {
    const withOutputs = { ...request, outputs: [{ name: 'y', parameters: { binary_data: false } }] };
    expect(normalizeOipUsage({ request: withOutputs, response }).tensorElements.value).toBe(10);
    expect(
      normalizeOipUsage({ request: withOutputs, response, countTensors: 'inputs-and-outputs' }).tensorElements
        .value,
    ).toBe(13);
  });

  it('rejects a malformed shape', () => {
    expect(() => normalizeOipUsage({ request: { inputs: [{ shape: [1, -2] }] } })).toThrow(ValidationError);
  });
});

describe('normalizeAiaasUsage', () => {
  it('reads the server response usage (OpenAI shape) with metering extras', () => {
    const usage = normalizeAiaasUsage({
      prompt_tokens: 12,
      completion_tokens: 8,
      total_tokens: 20,
      compute_ms: 31,
    });
    expect(usageValues(usage)).toMatchObject({
      inputTokens: 12,
      outputTokens: 8,
      computeMs: 31,
      requests: 1,
    });
    expect(tokenSum(usage)).toBe(20);
  });

  it('reads a billing record usage', () => {
    const usage = normalizeAiaasUsage({
      input_tokens: 12,
      output_tokens: 8,
      compute_ms: 31,
      bytes_in: 310,
      bytes_out: 922,
      tensor_elements: 40,
      requests: 1,
    });
    expect(usageValues(usage)).toEqual({
      inputTokens: 12,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 8,
      reasoningTokens: 0,
      computeMs: 31,
      bytesIn: 310,
      bytesOut: 922,
      tensorElements: 40,
      requests: 1,
      deployedSeconds: 0,
      trainedExamples: 0,
    });
  });

  it('reads a tensor-only billing record', () => {
    const usage = normalizeAiaasUsage({
      compute_ms: 2,
      bytes_in: 64,
      bytes_out: 32,
      tensor_elements: 6,
      requests: 1,
    });
    expect(usageValues(usage)).toMatchObject({ inputTokens: 0, tensorElements: 6, bytesIn: 64 });
  });
});
