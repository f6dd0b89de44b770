import { type FileHandle, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AiaasError } from '../errors/index.js';
import { type LedgerEntry, type LedgerFilter, matchesLedgerFilter } from './ledger-entry.js';
import { ledgerEntryFromRecord, ledgerEntryToRecord } from './ledger-entry-codec.js';
import type { LedgerStore } from './ledger-store.js';

export interface JsonlLedgerStoreOptions {
  /** fsync after every append, so an acknowledged entry survives a crash or power loss. Default true. */
  fsync?: boolean;
  /** Told about skipped lines. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/**
 * An append-only JSON Lines file, one entry per line, money as decimal strings. Crash-safe: a
 * line torn by a crash mid-write is detected on read and skipped with a warning; bytes already
 * written are never rewritten, so earlier lines are never lost. Each entry is a single `write`
 * to a file opened for appending, so processes sharing the file do not interleave lines.
 *
 * @example
 * const ledger = new Ledger({ store: new JsonlLedgerStore('./spend.jsonl') });
 */
export class JsonlLedgerStore implements LedgerStore {
  readonly path: string;
  private readonly fsync: boolean;
  private readonly onWarning: (message: string) => void;
  private handle: FileHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(path: string, options: JsonlLedgerStoreOptions = {}) {
    this.path = path;
    this.fsync = options.fsync ?? true;
    this.onWarning =
      options.onWarning ?? ((message) => process.emitWarning(message, { code: 'AIAAS_LEDGER_SKIPPED_LINE' }));
  }

  append(entry: LedgerEntry): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(ledgerEntryToRecord(entry))}\n`, 'utf8');
    return this.serialize(async () => {
      const handle = await this.openForAppend();
      let written = 0;
      while (written < line.length) {
        written += (await handle.write(line, written, line.length - written)).bytesWritten;
      }
      if (this.fsync) await handle.datasync();
    });
  }

  async entries(filter: LedgerFilter): Promise<LedgerEntry[]> {
    // Waiting for queued appends makes a read see every append made before it.
    await this.serialize(async () => {});
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return this.parse(text).filter((entry) => matchesLedgerFilter(entry, filter));
  }

  async close(): Promise<void> {
    await this.serialize(async () => {
      this.closed = true;
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  private parse(text: string): LedgerEntry[] {
    const lines = text.split('\n');
    const entries: LedgerEntry[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        entries.push(ledgerEntryFromRecord(JSON.parse(line)));
      } catch {
        // Only the final line can be torn by a crash; anything else is damage worth naming too.
        const torn = index === lines.length - 1;
        this.warnOnce(
          `${index}:${line.length}`,
          torn
            ? `Ledger ${this.path}: skipped a torn last line (line ${index + 1}), most likely cut by a crash mid-write.`
            : `Ledger ${this.path}: skipped unreadable line ${index + 1} (torn by an earlier crash, or damaged).`,
        );
      }
    });
    return entries;
  }

  private async openForAppend(): Promise<FileHandle> {
    if (this.closed) throw new AiaasError(`Ledger store ${this.path} is closed.`);
    if (this.handle) return this.handle;
    const handle = await open(this.path, 'a+');
    const { size } = await handle.stat();
    if (size === 0) await syncDirectory(dirname(this.path));
    else {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      // A torn line has no newline: end it, so the next entry starts on a line of its own.
      if (last[0] !== 0x0a) await handle.write('\n');
    }
    this.handle = handle;
    return handle;
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(message);
  }
}

/** Makes a new file's directory entry durable too; best effort where directories cannot be synced. */
async function syncDirectory(path: string): Promise<void> {
  try {
    const directory = await open(path, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for syncing.
  }
}
