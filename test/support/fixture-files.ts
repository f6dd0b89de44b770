import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

const fixturesDirectory = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The text of a recorded payload under `test/fixtures/`, e.g. `openai/models.json`. */
export function fixtureText(name: string): string {
  return readFileSync(`${fixturesDirectory}${name}`, 'utf8');
}

/** A recorded JSON payload, parsed (for expectations computed from the fixture itself). */
export function fixtureJson<Value = Record<string, unknown>>(name: string): Value {
  return JSON.parse(fixtureText(name)) as Value;
}

const contentTypes: Record<string, string> = {
  json: 'application/json',
  sse: 'text/event-stream; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/**
 * Answers with a recorded payload. Streams (`.sse`, `.ndjson`) are written in small pieces that
 * ignore event boundaries, the way a network hands them over, so the parsers' reassembly is tested.
 */
export async function sendFixture(
  response: ServerResponse,
  name: string,
  options: { status?: number; headers?: Record<string, string> } = {},
): Promise<void> {
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const body = Buffer.from(fixtureText(name), 'utf8');
  response.writeHead(options.status ?? 200, {
    'content-type': contentTypes[extension] ?? 'application/octet-stream',
    'x-request-id': 'req_fixture',
    ...options.headers,
  });
  if (extension === 'json') {
    response.end(body);
    return;
  }
  const pieceBytes = 61;
  for (let offset = 0; offset < body.length; offset += pieceBytes) {
    response.write(body.subarray(offset, offset + pieceBytes));
    // A macrotask between pieces keeps them from being coalesced into one TCP segment.
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
}
