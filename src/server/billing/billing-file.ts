import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { serverUsageRecordSchema } from '../../wire/aiaas/server-usage-schemas.js';
import type { BillingRecord } from './billing-record.js';

/** The records of a billing file and whether its last line was torn (no final newline). */
export interface LoadedBillingFile {
  records: BillingRecord[];
  /** The file ends in a partial line: the next append must start on a fresh line. */
  tornTail: boolean;
}

/**
 * Reads a JSONL billing file. A line that is not a valid record is skipped with a warning: the
 * last one is normally a write torn by a crash, and one bad line must never cost the others.
 */
export function loadBillingFile(path: string, warn: (message: string) => void): LoadedBillingFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornTail: false };
    throw error;
  }
  const lines = text.split('\n');
  const tornTail = text.length > 0 && !text.endsWith('\n');
  if (!tornTail) lines.pop(); // the empty string after the final newline
  const records: BillingRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warn(
        isLast && tornTail
          ? `Billing file ${path}: the last line is incomplete (torn by a crash mid-write) and was skipped.`
          : `Billing file ${path}: line ${index + 1} is not JSON and was skipped.`,
      );
      return;
    }
    const parsed = serverUsageRecordSchema.safeParse(json);
    if (!parsed.success) {
      warn(`Billing file ${path}: line ${index + 1} is not a billing record and was skipped.`);
      return;
    }
    records.push(parsed.data as BillingRecord);
  });
  return { records, tornTail };
}

/** When appends reach the disk: `every-record` fsyncs each one (survives power loss); `none` leaves it to the OS (survives a process crash). */
export type FsyncPolicy = 'every-record' | 'none';

/**
 * An append-only file handle: one `write` per record of one whole line, so lines of processes
 * sharing the file do not interleave, and nothing written is ever rewritten.
 */
export class BillingFileAppender {
  readonly #descriptor: number;
  readonly #fsync: FsyncPolicy;
  #needsNewline: boolean;
  #closed = false;

  constructor(path: string, fsync: FsyncPolicy, tornTail: boolean) {
    this.#descriptor = openSync(path, 'a');
    this.#fsync = fsync;
    this.#needsNewline = tornTail;
  }

  append(record: BillingRecord): void {
    if (this.#closed) throw new Error('The billing file is closed; no record can be added.');
    // After a torn line, a newline first: the fragment stays a line of its own, skipped on every load.
    const prefix = this.#needsNewline ? '\n' : '';
    const line = Buffer.from(`${prefix}${JSON.stringify(record)}\n`, 'utf8');
    let written = 0;
    while (written < line.length)
      written += writeSync(this.#descriptor, line, written, line.length - written);
    this.#needsNewline = false;
    if (this.#fsync === 'every-record') fsyncSync(this.#descriptor);
  }

  /** Idempotent: closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#descriptor);
  }
}
