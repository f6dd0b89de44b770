import { afterEach, describe, expect, it, vi } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import { isLoopbackHost, resolveClientOptions } from '../../../src/client/client-options.js';
import { AiaasError } from '../../../src/errors/index.js';

describe('resolveClientOptions', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes the key from AIAAS_API_KEY, then OPENAI_API_KEY for openai only', () => {
    expect(resolveClientOptions({}, { AIAAS_API_KEY: 'a-key', OPENAI_API_KEY: 'o-key' }).apiKey).toBe(
      'a-key',
    );
    expect(resolveClientOptions({}, { OPENAI_API_KEY: 'o-key' }).apiKey).toBe('o-key');
    expect(resolveClientOptions({ provider: 'ollama' }, { OPENAI_API_KEY: 'o-key' }).apiKey).toBeUndefined();
    expect(resolveClientOptions({ apiKey: 'explicit' }, { AIAAS_API_KEY: 'a-key' }).apiKey).toBe('explicit');
  });

  it('takes the base URL from AIAAS_BASE_URL, then the provider default', () => {
    expect(resolveClientOptions({ apiKey: 'k' }, { AIAAS_BASE_URL: 'http://gw:9/v1' }).baseURL).toBe(
      'http://gw:9/v1',
    );
    expect(resolveClientOptions({ apiKey: 'k' }, {}).baseURL).toBe('https://api.openai.com/v1');
    expect(resolveClientOptions({ provider: 'ollama' }, {}).baseURL).toBe('http://127.0.0.1:11434');
  });

  it('requires a key for openai on a remote host, with a message that says how to fix it', () => {
    const call = () => resolveClientOptions({}, {});
    expect(call).toThrow(AiaasError);
    expect(call).toThrow(
      /Missing API key for the openai provider at https:\/\/api\.openai\.com.*AIAAS_API_KEY or OPENAI_API_KEY.*apiKey: null/,
    );
    vi.stubEnv('AIAAS_API_KEY', undefined);
    vi.stubEnv('OPENAI_API_KEY', undefined);
    expect(() => new AiaasClient({ baseURL: 'https://models.example.com/v1' })).toThrow(/Missing API key/);
  });

  it('needs no key on this machine, for oip and ollama, or with apiKey: null', () => {
    expect(resolveClientOptions({ baseURL: 'http://127.0.0.1:8000' }, {}).apiKey).toBeUndefined();
    expect(resolveClientOptions({ baseURL: 'http://localhost:8000/v1' }, {}).apiKey).toBeUndefined();
    expect(
      resolveClientOptions({ baseURL: 'https://gw.example.com', apiKey: null }, { AIAAS_API_KEY: 'x-key' })
        .apiKey,
    ).toBeUndefined();
    expect(
      resolveClientOptions({ provider: 'oip', baseURL: 'https://triton.example.com' }, {}).apiKey,
    ).toBeUndefined();
  });

  it('requires a base URL for oip and rejects malformed ones', () => {
    expect(() => resolveClientOptions({ provider: 'oip' }, {})).toThrow(/oip provider needs a base URL/);
    expect(() => resolveClientOptions({ baseURL: 'not a url', apiKey: 'k' }, {})).toThrow(
      /`baseURL`: got "not a url", which is not a valid URL; expected an http or https URL/,
    );
    expect(() => resolveClientOptions({ baseURL: 'ftp://host', apiKey: 'k' }, {})).toThrow(
      /`baseURL`: got a ftp: URL; expected an http or https URL/,
    );
    expect(() => resolveClientOptions({ provider: 'grpc' as never, apiKey: 'k' }, {})).toThrow(
      /Invalid client option `provider`: got "grpc"; expected 'openai', 'oip' or 'ollama'\./,
    );
  });

  it('checks timeout and maxRetries', () => {
    expect(resolveClientOptions({ apiKey: 'k' }, {})).toMatchObject({ timeout: 600_000, maxRetries: 2 });
    expect(() => resolveClientOptions({ apiKey: 'k', timeout: -1 }, {})).toThrow(/timeout/);
    expect(() => resolveClientOptions({ apiKey: 'k', maxRetries: 1.5 }, {})).toThrow(/maxRetries/);
  });

  it('recognises loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.9.0.1', '[::1]', 'api.localhost'].every(isLoopbackHost)).toBe(
      true,
    );
    expect(['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'].some(isLoopbackHost)).toBe(
      false,
    );
  });

  it('normalises the base URL per provider', async () => {
    const openai = new AiaasClient({ baseURL: 'http://127.0.0.1:9', apiKey: null });
    const openaiWithPath = new AiaasClient({ baseURL: 'http://127.0.0.1:9/v1/', apiKey: null });
    const oip = new AiaasClient({ provider: 'oip', baseURL: 'http://127.0.0.1:9/v2' });
    const ollama = new AiaasClient({ provider: 'ollama', baseURL: 'http://127.0.0.1:11434/api/' });
    expect([openai.baseURL, openaiWithPath.baseURL, oip.baseURL, ollama.baseURL]).toEqual([
      'http://127.0.0.1:9/v1',
      'http://127.0.0.1:9/v1',
      'http://127.0.0.1:9',
      'http://127.0.0.1:11434',
    ]);
    await Promise.all([openai.close(), openaiWithPath.close(), oip.close(), ollama.close()]);
  });
});
