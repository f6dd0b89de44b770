import { describe, expect, it } from 'vitest';
import { dialectOfPath } from '../../../../src/server/http/error-body.js';
import {
  eventFrame,
  malformedFrame,
  streamContentType,
  streamFramingOf,
} from '../../../../src/server/http/stream-framing.js';

describe('stream framing by dialect', () => {
  it('streams Ollama paths as NDJSON and every other path as server-sent events', () => {
    expect(streamFramingOf(dialectOfPath('/api/chat'))).toBe('ndjson');
    expect(streamFramingOf(dialectOfPath('/v1/chat/completions'))).toBe('sse');
    expect(streamFramingOf(dialectOfPath('/v2/models/ref-embed/infer'))).toBe('sse');
    // Only the `/api` segment itself: `/apis` is not Ollama's.
    expect(dialectOfPath('/apis/chat')).toBe('openai');
    expect(streamContentType('ndjson')).toBe('application/x-ndjson');
  });

  it('frames an NDJSON event as its line with no id, an SSE one with id and data', () => {
    expect(eventFrame('ndjson', 7, '{"done":false}')).toBe('{"done":false}\n');
    expect(eventFrame('sse', 7, '{"done":false}')).toBe('id: 7\ndata: {"done":false}\n\n');
  });

  it("makes the malformed fault's line invalid JSON in either framing", () => {
    expect(() => JSON.parse(malformedFrame('ndjson'))).toThrow();
    expect(malformedFrame('ndjson').endsWith('\n')).toBe(true);
    expect(malformedFrame('sse').startsWith('data: ')).toBe(true);
  });
});
