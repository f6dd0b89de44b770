import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import { ollamaSamplingOptions } from '../../../../../src/server/routes/ollama/ollama-sampling.js';

const limits = { defaultSeed: 42, promptTokens: 10, maxModelLength: 100, promptParam: 'messages' };

describe('ollamaSamplingOptions', () => {
  it("uses Ollama's defaults and the server's seed when options leave them out", () => {
    expect(ollamaSamplingOptions(undefined, limits)).toMatchObject({
      temperature: 0.8,
      topP: 0.9,
      topK: 40,
      seed: 42,
      stop: [],
    });
  });

  it('maps temperature, top_p, top_k, seed, stop and num_predict', () => {
    const options = { temperature: 0, top_p: 0.5, top_k: 3, seed: 7, stop: ['\n'], num_predict: 12 };
    expect(ollamaSamplingOptions(options, limits)).toEqual({
      temperature: 0,
      topP: 0.5,
      topK: 3,
      seed: 7,
      stop: ['\n'],
      maxTokens: 12,
    });
  });

  it('fills the context for num_predict -1 or -2, and cuts a longer one to it', () => {
    expect(ollamaSamplingOptions({ num_predict: -1 }, limits).maxTokens).toBe(90);
    expect(ollamaSamplingOptions({ num_predict: -2 }, limits).maxTokens).toBe(90);
    expect(ollamaSamplingOptions({ num_predict: 500 }, limits).maxTokens).toBe(90);
  });

  it('refuses num_predict 0 or below -2, and a prompt that leaves no room, as 400s', () => {
    for (const numPredict of [0, -3]) {
      expect(() => ollamaSamplingOptions({ num_predict: numPredict }, limits)).toThrow(
        expect.objectContaining({ status: 400, param: 'options.num_predict' }),
      );
    }
    const full = { ...limits, promptTokens: 100 };
    expect(() => ollamaSamplingOptions({ num_predict: 5 }, full)).toThrow(HttpError);
    expect(() => ollamaSamplingOptions({ presence_penalty: 1 }, limits)).toThrow(/presence_penalty/);
  });
});
