import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../../src/cost/sqlite-database.js';

// How the SQLite stores behave like every other store: test/contract/.

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('openSqliteDatabase', () => {
  it('opens in WAL mode with a busy timeout', async () => {
    const database = await openSqliteDatabase(join(directory, 'pragmas.db'), { busyTimeoutMs: 1234 });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(1234);
    database.close();
  });
});
