import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.js';
import { jsonResponse } from '../../../../src/server/http/route-response.js';
import { decodePathSegments, type Route, RouteTable } from '../../../../src/server/http/route-table.js';

const route = (method: Route['method'], path: string): Route => ({
  method,
  path,
  handle: async () => jsonResponse({ path }),
});

describe('RouteTable', () => {
  const table = new RouteTable([
    route('GET', '/v2/models/:model'),
    route('GET', '/v2/models/:model/versions/:version'),
    route('POST', '/v2/models/:model/infer'),
    route('GET', '/health'),
  ]);

  it('matches literal and parameter segments', () => {
    const match = table.match('GET', ['v2', 'models', 'ref-embed', 'versions', '3']);
    expect(match.kind).toBe('found');
    if (match.kind === 'found') expect(match.params).toEqual({ model: 'ref-embed', version: '3' });
  });

  it('tells a wrong method apart from an unknown path', () => {
    expect(table.match('GET', ['v2', 'models', 'm', 'infer'])).toEqual({
      kind: 'wrong-method',
      allowed: ['POST'],
    });
    expect(table.match('DELETE', ['health'])).toEqual({ kind: 'wrong-method', allowed: ['GET'] });
    expect(table.match('GET', ['v3'])).toEqual({ kind: 'not-found' });
  });
});

describe('decodePathSegments', () => {
  it('decodes percent-encoding and tolerates one trailing slash', () => {
    expect(decodePathSegments('/v2/models/ref%2Dembed/')).toEqual(['v2', 'models', 'ref-embed']);
    expect(decodePathSegments('/')).toEqual(['']);
  });

  it.each([
    '/v2/models/..',
    '/v2/models/%2e%2e',
    '/v2/models/a%2Fb',
    '/v2/models/a%5Cb',
    '/v2/models/a%00',
    '/v2/models/%E0%A4%A',
  ])('refuses %s with a 400', (path) => {
    const attempt = () => decodePathSegments(path);
    expect(attempt).toThrow(HttpError);
    try {
      attempt();
    } catch (error) {
      expect((error as HttpError).status).toBe(400);
    }
  });
});
