import { describe, expect, it } from 'vitest';
import { FaultHeaderError, parseFaultHeader } from '../../../../src/server/faults/fault-header-parser.js';

describe('parseFaultHeader', () => {
  it.each([
    ['status=503', [{ kind: 'status', status: 503 }]],
    ['status=429;retry_after_ms=50;times=2', [{ kind: 'status', status: 429, retryAfterMs: 50, times: 2 }]],
    ['status=500;should_retry=false', [{ kind: 'status', status: 500, shouldRetry: false }]],
    ['status=409;should_retry=true', [{ kind: 'status', status: 409, shouldRetry: true }]],
    ['reset', [{ kind: 'reset' }]],
    ['reset;times=1', [{ kind: 'reset', times: 1 }]],
    ['delay_ms=200', [{ kind: 'delay_ms', milliseconds: 200 }]],
    ['drop_after=5', [{ kind: 'drop_after', events: 5 }]],
    ['drop_after=0', [{ kind: 'drop_after', events: 0 }]],
    ['malformed_after=3', [{ kind: 'malformed_after', events: 3 }]],
    ['chunk_delay_ms=100', [{ kind: 'chunk_delay_ms', milliseconds: 100 }]],
    ['stall_after=4;times=3', [{ kind: 'stall_after', events: 4, times: 3 }]],
    [
      ' delay_ms = 20 , drop_after=2 ; times = 1 ',
      [
        { kind: 'delay_ms', milliseconds: 20 },
        { kind: 'drop_after', events: 2, times: 1 },
      ],
    ],
    [
      'status=599,chunk_delay_ms=0',
      [
        { kind: 'status', status: 599 },
        { kind: 'chunk_delay_ms', milliseconds: 0 },
      ],
    ],
  ])('parses %j', (header, directives) => {
    expect(parseFaultHeader(header).directives).toEqual(directives);
  });

  it('reads a blank header as no faults', () => {
    expect(parseFaultHeader('').directives).toEqual([]);
    expect(parseFaultHeader('   ').directives).toEqual([]);
  });

  it.each([
    ['explode', 'explode', /unknown directive "explode"/],
    ['status=429,teleport=1', 'teleport=1', /unknown directive "teleport"/],
    ['status', 'status', /status needs a value/],
    ['status=', 'status=', /status needs a value/],
    ['status=abc', 'status=abc', /status must be a non-negative integer, got "abc"/],
    ['status=4.5', 'status=4.5', /non-negative integer/],
    ['status=-500', 'status=-500', /non-negative integer/],
    ['status=200', 'status=200', /status must be a 4xx or 5xx code, got 200/],
    ['status=600', 'status=600', /4xx or 5xx/],
    ['status=302', 'status=302', /4xx or 5xx/],
    [
      'status=429;retry_after_ms=x',
      'status=429;retry_after_ms=x',
      /retry_after_ms must be a non-negative integer/,
    ],
    [
      'status=429;retry_after_ms=3600001',
      'status=429;retry_after_ms=3600001',
      /retry_after_ms must be within/,
    ],
    ['status=500;should_retry=yes', 'status=500;should_retry=yes', /should_retry must be true or false/],
    ['status=500;colour=red', 'status=500;colour=red', /unknown parameter "colour" for status/],
    ['status=500;times=1;times=2', 'status=500;times=1;times=2', /parameter times is given twice/],
    ['reset=1', 'reset=1', /reset takes no value/],
    ['reset;retry_after_ms=5', 'reset;retry_after_ms=5', /unknown parameter "retry_after_ms" for reset/],
    ['delay_ms=300001', 'delay_ms=300001', /delay_ms must be within 0..300000/],
    ['chunk_delay_ms=60001', 'chunk_delay_ms=60001', /chunk_delay_ms must be within/],
    ['drop_after=1000001', 'drop_after=1000001', /drop_after must be within/],
    ['drop_after=99999999999', 'drop_after=99999999999', /non-negative integer/],
    ['malformed_after', 'malformed_after', /malformed_after needs a value/],
    ['stall_after=1e3', 'stall_after=1e3', /non-negative integer/],
    ['drop_after=2;times=0', 'drop_after=2;times=0', /times must be within 1..1000000/],
    ['drop_after=2;times=', 'drop_after=2;times=', /times needs a value/],
    ['delay_ms=5,delay_ms=6', 'delay_ms=6', /delay_ms is given more than once/],
    ['status=429,status=503', 'status=503', /status is given more than once/],
    ['status=429,,reset', '', /empty directive/],
    ['reset,', '', /empty directive/],
  ])('rejects %j naming the directive', (header, directive, message) => {
    let caught: unknown;
    try {
      parseFaultHeader(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultHeaderError);
    const error = caught as FaultHeaderError;
    expect(error.directive).toBe(directive);
    expect(error.param).toBe('x-aiaas-fault');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`x-aiaas-fault directive ${JSON.stringify(directive)}`);
  });
});
