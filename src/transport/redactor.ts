/** Header names whose values are credentials, compared lower-case. */
export const sensitiveHeaderNames: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'cookie',
  'set-cookie',
]);

export const redactedMarker = '[redacted]';

const bearerPattern = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Removes credentials from anything the SDK logs or puts into an error. */
export interface Redactor {
  text(value: string): string;
  headers(headers: Readonly<Record<string, string>>): Record<string, string>;
  /** Deep copy of a JSON-like value with every string redacted and sensitive keys masked. */
  value(value: unknown): unknown;
}

/**
 * Builds a redactor for a set of secret values (the API key, credential headers). Secrets
 * shorter than 4 characters are ignored so that redaction does not shred ordinary text.
 */
export function createRedactor(secrets: ReadonlyArray<string | null | undefined>): Redactor {
  const known = [...new Set(secrets.filter((secret): secret is string => !!secret && secret.length >= 4))];
  known.sort((left, right) => right.length - left.length);

  const text = (value: string): string => {
    let result = value.replace(bearerPattern, `$1 ${redactedMarker}`);
    for (const secret of known) result = result.split(secret).join(redactedMarker);
    return result;
  };

  const headers = (source: Readonly<Record<string, string>>): Record<string, string> => {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(source)) {
      result[name] = sensitiveHeaderNames.has(name.toLowerCase()) ? redactedMarker : text(value);
    }
    return result;
  };

  const value = (input: unknown, depth = 0): unknown => {
    if (typeof input === 'string') return text(input);
    if (depth > 20 || input === null || typeof input !== 'object') return input;
    if (Array.isArray(input)) return input.map((item) => value(item, depth + 1));
    if (ArrayBuffer.isView(input)) return input;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) {
      result[key] = sensitiveHeaderNames.has(key.toLowerCase()) ? redactedMarker : value(item, depth + 1);
    }
    return result;
  };

  return { text, headers, value: (input) => value(input) };
}
