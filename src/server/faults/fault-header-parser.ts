import type { FaultDirective, FaultKind, FaultPlan, StatusFault } from './fault-directive.js';
import { emptyFaultPlan, faultKinds } from './fault-directive.js';

/** The header that carries fault directives. */
export const faultHeaderName = 'x-aiaas-fault';

/**
 * A bad `x-aiaas-fault` header. The message names the directive at fault, so the server can
 * answer 400 with it as is.
 *
 * @example
 * try { parseFaultHeader('status=200'); } catch (error) { (error as FaultHeaderError).directive; // 'status=200' }
 */
export class FaultHeaderError extends Error {
  /** The directive as written in the header. */
  readonly directive: string;
  /** The request field at fault, for an OpenAI error body's `param`. */
  readonly param = faultHeaderName;

  constructor(directive: string, reason: string) {
    super(`Invalid ${faultHeaderName} directive ${JSON.stringify(directive)}: ${reason}.`);
    this.name = 'FaultHeaderError';
    this.directive = directive;
  }
}

interface Range {
  min: number;
  max: number;
}

// Upper bounds keep a test from parking a connection for hours by a typo.
const ranges = {
  status: { min: 400, max: 599 },
  retry_after_ms: { min: 0, max: 3_600_000 },
  delay_ms: { min: 0, max: 300_000 },
  chunk_delay_ms: { min: 0, max: 60_000 },
  events: { min: 0, max: 1_000_000 },
  times: { min: 1, max: 1_000_000 },
} satisfies Record<string, Range>;

const integerPattern = /^\d{1,9}$/;

/** Parameters each directive accepts after `;`, besides `times`. */
const extraParameters: Record<FaultKind, readonly string[]> = {
  status: ['retry_after_ms', 'should_retry'],
  reset: [],
  delay_ms: [],
  drop_after: [],
  malformed_after: [],
  chunk_delay_ms: [],
  stall_after: [],
};

function isFaultKind(name: string): name is FaultKind {
  return (faultKinds as readonly string[]).includes(name);
}

function parseInteger(text: string | undefined, name: string, range: Range, directive: string): number {
  if (text === undefined || text === '') throw new FaultHeaderError(directive, `${name} needs a value`);
  if (!integerPattern.test(text)) {
    throw new FaultHeaderError(
      directive,
      `${name} must be a non-negative integer, got ${JSON.stringify(text)}`,
    );
  }
  const value = Number(text);
  if (value < range.min || value > range.max) {
    const what = name === 'status' ? 'a 4xx or 5xx code' : `within ${range.min}..${range.max}`;
    throw new FaultHeaderError(directive, `${name} must be ${what}, got ${value}`);
  }
  return value;
}

function splitPair(text: string): [string, string | undefined] {
  const equals = text.indexOf('=');
  if (equals < 0) return [text.trim(), undefined];
  return [text.slice(0, equals).trim(), text.slice(equals + 1).trim()];
}

function parseDirective(directive: string): FaultDirective {
  const [head = '', ...parameterTexts] = directive.split(';');
  const [name, value] = splitPair(head);
  if (!isFaultKind(name)) {
    throw new FaultHeaderError(
      directive,
      `unknown directive ${JSON.stringify(name)}; use one of ${faultKinds.join(', ')}`,
    );
  }
  const parameters = new Map<string, string | undefined>();
  for (const parameterText of parameterTexts) {
    const [key, parameterValue] = splitPair(parameterText);
    if (key !== 'times' && !extraParameters[name].includes(key)) {
      throw new FaultHeaderError(directive, `unknown parameter ${JSON.stringify(key)} for ${name}`);
    }
    if (parameters.has(key)) throw new FaultHeaderError(directive, `parameter ${key} is given twice`);
    parameters.set(key, parameterValue);
  }
  const times = parameters.has('times')
    ? { times: parseInteger(parameters.get('times'), 'times', ranges.times, directive) }
    : {};

  switch (name) {
    case 'reset':
      if (value !== undefined) throw new FaultHeaderError(directive, 'reset takes no value');
      return { kind: 'reset', ...times };
    case 'status': {
      const fault: StatusFault = {
        kind: 'status',
        status: parseInteger(value, 'status', ranges.status, directive),
        ...times,
      };
      if (parameters.has('retry_after_ms')) {
        fault.retryAfterMs = parseInteger(
          parameters.get('retry_after_ms'),
          'retry_after_ms',
          ranges.retry_after_ms,
          directive,
        );
      }
      if (parameters.has('should_retry')) {
        const flag = parameters.get('should_retry');
        if (flag !== 'true' && flag !== 'false') {
          throw new FaultHeaderError(
            directive,
            `should_retry must be true or false, got ${JSON.stringify(flag)}`,
          );
        }
        fault.shouldRetry = flag === 'true';
      }
      return fault;
    }
    case 'delay_ms':
    case 'chunk_delay_ms':
      return { kind: name, milliseconds: parseInteger(value, name, ranges[name], directive), ...times };
    case 'drop_after':
    case 'malformed_after':
    case 'stall_after':
      return { kind: name, events: parseInteger(value, name, ranges.events, directive), ...times };
  }
}

/**
 * Parses the `x-aiaas-fault` header: directives separated by `,`, each `name[=value][;k=v...]`.
 * A blank header is an empty plan; anything not understood throws {@link FaultHeaderError}
 * (unknown names or parameters, non-integers, out-of-range values, a status outside 4xx/5xx,
 * a directive given twice), because a test that asked for a fault and silently got none
 * would pass for the wrong reason.
 *
 * @example
 * parseFaultHeader('status=429;retry_after_ms=50;times=2, delay_ms=20');
 * // { directives: [{ kind: 'status', status: 429, retryAfterMs: 50, times: 2 }, { kind: 'delay_ms', milliseconds: 20 }] }
 */
export function parseFaultHeader(value: string): FaultPlan {
  if (value.trim() === '') return emptyFaultPlan;
  const directives: FaultDirective[] = [];
  for (const raw of value.split(',')) {
    const directive = raw.trim();
    if (directive === '') throw new FaultHeaderError(raw, 'empty directive (check for a stray comma)');
    const parsed = parseDirective(directive);
    if (directives.some((existing) => existing.kind === parsed.kind)) {
      throw new FaultHeaderError(directive, `${parsed.kind} is given more than once`);
    }
    directives.push(parsed);
  }
  return { directives };
}
