/** Structured fields of a log line; never API keys or request bodies. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Where the server reports start-up notices, served requests and failures. Pass your own
 * to route them into an application's logs.
 *
 * @example
 * await startReferenceServer({ logger: { info: console.log, warn: console.warn, error: console.error } });
 */
export interface ServerLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function formatLine(message: string, fields: LogFields | undefined): string {
  if (fields === undefined) return `[aiaas] ${message}`;
  const rendered = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
  return rendered === '' ? `[aiaas] ${message}` : `[aiaas] ${message} ${rendered}`;
}

/** Writes warnings and errors to stderr and drops info lines: quiet inside test suites and apps. */
export const defaultServerLogger: ServerLogger = {
  info() {},
  warn(message, fields) {
    process.stderr.write(`${formatLine(message, fields)}\n`);
  },
  error(message, fields) {
    process.stderr.write(`${formatLine(message, fields)}\n`);
  },
};

/** Writes every line, info included, to stderr (the CLI's logger). */
export const verboseServerLogger: ServerLogger = {
  ...defaultServerLogger,
  info(message, fields) {
    process.stderr.write(`${formatLine(message, fields)}\n`);
  },
};

/** Drops everything. */
export const silentServerLogger: ServerLogger = { info() {}, warn() {}, error() {} };
