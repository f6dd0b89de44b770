import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

describe('openSqliteDatabase beside another process', () => {
  it('waits for another process switching the file to WAL instead of failing with SQLITE_BUSY', async () => {
    const path = join(directory, 'write-locked.db');
    // Switching to WAL while another connection writes in rollback mode (as a second process
    // doing the same switch does) fails at once, without the busy handler. A real second process
    // holds such a write, says so, and lets go a little later.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require('better-sqlite3');
         const database = new Database(process.argv[1]);
         database.exec('CREATE TABLE held (id INTEGER)');
         database.exec('BEGIN IMMEDIATE; INSERT INTO held VALUES (1)');
         process.stdout.write('locked\\n');
         setTimeout(() => { database.exec('COMMIT'); database.close(); }, 300);`,
        path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(holder, 'exit');
    await once(holder.stdout, 'data');

    const database = await openSqliteDatabase(path, { busyTimeoutMs: 20_000 });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
    expect((await exited)[0]).toBe(0);
  });
});
