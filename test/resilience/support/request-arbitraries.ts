import fc from 'fast-check';

/** Well-formed bodies for each POST route: the "valid" starting points the fuzzer mutates. */
export const validBodies: Readonly<Record<string, unknown>> = {
  '/v1/chat/completions': { model: 'ref-chat', messages: [{ role: 'user', content: 'jobs' }], max_tokens: 3 },
  '/v1/completions': { model: 'ref-chat', prompt: 'The economy', max_tokens: 3 },
  '/v1/embeddings': { model: 'ref-embed', input: ['health care', 'taxes'] },
  '/tokenize': { model: 'ref-chat', prompt: 'freedom' },
  '/v2/models/ref-classify/infer': {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.5) }],
  },
  '/v2/models/ref-classify/versions/1/infer': {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: new Array(100).fill(0.1) }],
  },
  '/v2/models/ref-embed/infer': {
    inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [1, 2], data: [1, 2] }],
  },
};

export const postPaths = Object.keys(validBodies);

export const getPaths = [
  '/v1/models',
  '/v1/models/ref-chat',
  '/health',
  '/metrics',
  '/v1/usage',
  '/v1/usage?model=ref-chat&from=yesterday',
  '/v1/pricing',
  '/v2',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/ref-embed',
  '/v2/models/ref-embed/versions/1',
  '/v2/models/ref-classify/ready',
  '/v2/models/ref-classify/versions/1/ready',
];

const text = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** Bytes that are never valid UTF-8: a lone continuation, overlong forms, a cut sequence, 0xff. */
const invalidUtf8 = [
  [0x80],
  [0xc0, 0x80],
  [0xe2, 0x82],
  [0xff, 0xfe],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80],
];

/** A valid body with invalid UTF-8 spliced in, inside a JSON string or anywhere at all. */
function withInvalidUtf8(path: string): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...invalidUtf8), fc.nat(), fc.boolean())
    .map(([bytes, offset, inString]) => {
      const body = text(validBodies[path]);
      const quote = body.indexOf(0x22, 2);
      const at = inString && quote > 0 ? quote + 1 : offset % (body.length + 1);
      return Buffer.concat([body.subarray(0, at), Buffer.from(bytes), body.subarray(at)]);
    });
}

/** One field of the valid body replaced (by any JSON value), removed, or joined by an unknown one. */
function nearValid(path: string): fc.Arbitrary<Buffer> {
  const base = validBodies[path] as Record<string, unknown>;
  const fields = Object.keys(base);
  return fc
    .tuple(
      fc.constantFrom(...fields, '__unknown__'),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
    )
    .map(([field, value]) => text({ ...base, [field]: value }));
}

/** JSON nested `depth` levels deep in one field: recursion limits and stack depth. */
function deeplyNested(path: string): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.integer({ min: 1, max: 60_000 }), fc.boolean()).map(([depth, arrays]) => {
    const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
    const field = path.startsWith('/v2') ? 'inputs' : 'messages';
    return Buffer.from(`{"${field}":${open.repeat(depth)}1${close.repeat(depth)}}`);
  });
}

/** A valid shape carrying a very large value, under the body limit or over it. */
function huge(path: string, bodyLimitBytes: number): fc.Arbitrary<Buffer> {
  return fc.constantFrom(0.5, 0.9, 1.2).map((share) => {
    const size = Math.floor(bodyLimitBytes * share);
    const base = validBodies[path] as Record<string, unknown>;
    const field = path.startsWith('/v2') ? 'id' : path === '/v1/embeddings' ? 'input' : 'prompt';
    return text({ ...base, [field]: 'x'.repeat(size) });
  });
}

/**
 * Bodies for a POST route, from plausible to hostile: valid, near-valid, garbage bytes, plain
 * strings, any JSON, deeply nested, huge (around the body limit) and invalid UTF-8.
 */
export function bodyFor(path: string, bodyLimitBytes: number): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.constant(text(validBodies[path])),
    nearValid(path),
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 200 }).map((value) => Buffer.from(value, 'utf8')),
    fc.jsonValue({ maxDepth: 4 }).map(text),
    deeplyNested(path),
    huge(path, bodyLimitBytes),
    withInvalidUtf8(path),
  );
}

/** Header values Node's client accepts: visible ASCII and Latin-1, never CR or LF. */
const headerValue = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })), {
      maxLength,
    })
    .map((codes) => String.fromCharCode(...codes).trim());

/** Fault directives that never parse (unknown names, values out of range), so none is acted out. */
const brokenFaultHeader = fc.oneof(
  headerValue(40).map((value) => `bogus=${value}`),
  fc.integer({ min: -5, max: 399 }).map((status) => `status=${status}`),
  fc.constantFrom(
    'status=429;times=0',
    'drop_after=-1',
    'reset=1',
    'delay_ms=abc',
    ',',
    'status=503;weird=1',
  ),
);

/** Random request headers around a valid key: auth variants, content types, keys, resume points, faults. */
export function headersFor(validKey: string): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(
      {
        authorization: fc.oneof(
          { weight: 6, arbitrary: fc.constant(`Bearer ${validKey}`) },
          fc.constantFrom('', 'Bearer', 'Bearer ', `Basic ${validKey}`, `bearer ${validKey}x`),
          headerValue(60),
        ),
        'content-type': fc.oneof(
          { weight: 4, arbitrary: fc.constant('application/json') },
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/json; charset=utf-16',
            'multipart/form-data',
          ),
          headerValue(30),
        ),
        'idempotency-key': fc.oneof(headerValue(64), fc.constant('k'.repeat(4000))),
        'last-event-id': fc.oneof(fc.nat().map(String), headerValue(20)),
        'x-aiaas-fault': brokenFaultHeader,
        'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
        accept: fc.constantFrom('text/event-stream', 'application/x-ndjson', '*/*'),
        'x-request-id': headerValue(80),
      },
      { requiredKeys: ['authorization'] },
    )
    .map((headers) => Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== '')));
}
