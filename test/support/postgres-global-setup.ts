import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the store tests use: AIAAS_TEST_POSTGRES_URL, or a throwaway cluster. */
    postgresUrl: string;
  }
}

/**
 * The store tests' PostgreSQL: the server AIAAS_TEST_POSTGRES_URL names, or else a throwaway
 * cluster started here and removed when the run ends. Never skipped: without either, the run fails.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.AIAAS_TEST_POSTGRES_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgresUrl', given);
    return undefined;
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
