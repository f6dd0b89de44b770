import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster on loopback. */
export interface PostgresCluster {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Where `initdb` and `pg_ctl` are: on PATH, or in Debian's `/usr/lib/postgresql/<version>/bin`
 * (the `postgresql` package keeps them off PATH), the newest version first.
 */
export function findPostgresBinaries(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter);
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((version) => /^\d+$/.test(version))
        .sort((left, right) => Number(right) - Number(left))
        .map((version) => `/usr/lib/postgresql/${version}/bin`)
    : [];
  return [...onPath, ...debian].find(
    (directory) =>
      directory !== '' && existsSync(join(directory, 'initdb')) && existsSync(join(directory, 'pg_ctl')),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// PostgreSQL refuses to run as root: as root, the cluster belongs to and runs as `nobody`.
const NOBODY_UID = 65_534;
const asRoot = process.getuid?.() === 0;

/**
 * Creates a cluster in a fresh temporary directory (`initdb`, trust authentication for the
 * `aiaas` superuser), starts it on a free loopback port with its socket in that directory, and
 * returns its URL; `stop` stops it at once and removes the directory. Durability is off: the
 * cluster lives only as long as the test run.
 *
 * @example
 * const cluster = await startPostgresCluster();
 * process.env.DATABASE_URL = cluster.url; ... await cluster.stop();
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binaries = findPostgresBinaries();
  if (binaries === undefined) {
    throw new Error(
      'The PostgreSQL store tests need a PostgreSQL server: set AIAAS_TEST_POSTGRES_URL, or install PostgreSQL ' +
        '(Debian: `apt-get install -y postgresql`) so that the tests start a throwaway one.',
    );
  }
  const directory = await mkdtemp(join(tmpdir(), 'aiaas-postgres-'));
  const data = join(directory, 'data');
  const log = join(directory, 'postgres.log');
  if (asRoot) await chown(directory, NOBODY_UID, NOBODY_UID);
  const postgres = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'nobody', '--', join(binaries, tool), ...args], { cwd: directory })
      : run(join(binaries, tool), args, { cwd: directory });
  const remove = () => rm(directory, { recursive: true, force: true });
  try {
    await postgres('initdb', [
      '-D',
      data,
      '-U',
      'aiaas',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // Another process may take the free port between the check and the start: try a few.
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      const settings = [
        `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${directory}`,
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200',
      ].join(' ');
      try {
        await postgres('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', log, '-o', settings]);
      } catch (error) {
        if (attempt >= 3) throw error;
        continue;
      }
      return {
        url: `postgres://aiaas@127.0.0.1:${port}/postgres`,
        stop: async () => {
          await postgres('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
          await remove();
        },
      };
    }
  } catch (error) {
    const logged = await readFile(log, 'utf8').catch(() => '');
    await remove();
    throw new Error(
      `Could not start a throwaway PostgreSQL cluster: ${(error as Error).message}\n${logged}`,
      {
        cause: error,
      },
    );
  }
}
