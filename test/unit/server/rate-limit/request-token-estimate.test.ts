import { describe, expect, it } from 'vitest';
import { estimateRequestTokens } from '../../../../src/server/rate-limit/request-token-estimate.js';

const estimate = (body: unknown) => estimateRequestTokens(Buffer.from(JSON.stringify(body)));

describe('estimateRequestTokens', () => {
  it('adds the completion budget a generation asks for, times n', () => {
    const body = { model: 'ref-chat', messages: [], max_tokens: 20 };
    const bytes = Buffer.byteLength(JSON.stringify(body));
    expect(estimate(body)).toBe(Math.ceil(bytes / 4) + 20);
    const twice = { ...body, n: 2, max_completion_tokens: 10 };
    expect(estimate(twice)).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(twice)) / 4) + 20);
    const unbounded = { model: 'ref-chat', prompt: 'x' };
    expect(estimate(unbounded)).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(unbounded)) / 4) + 256);
  });

  it("reads an Ollama request's options.num_predict as its completion budget", () => {
    const body = { model: 'ref-chat', prompt: 'x', options: { num_predict: 12 } };
    expect(estimate(body)).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4) + 12);
    const unbounded = { model: 'ref-chat', prompt: 'x', options: { num_predict: -1 } };
    expect(estimate(unbounded)).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(unbounded)) / 4) + 256);
  });

  it('counts only the body of anything else, and survives bodies that are not JSON', () => {
    const body = { model: 'ref-embed', input: 'hello world' };
    expect(estimate(body)).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4));
    expect(estimateRequestTokens(Buffer.from('not json at all'))).toBe(4);
  });
});
