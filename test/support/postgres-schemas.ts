import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/** The PostgreSQL server of this test run (see postgres-global-setup.ts). */
export function postgresUrl(): string {
  return inject('postgresUrl');
}

/**
 * Fresh schemas for one test file, each a clean slate for a store, all dropped after the file
 * (the server may be yours, through AIAAS_TEST_POSTGRES_URL).
 *
 * @example
 * const schemas = usePostgresSchemas();
 * const store = await PostgresBudgetStore.open(postgresUrl(), { schema: schemas.fresh() });
 */
export function usePostgresSchemas(): { fresh(): string } {
  const made: string[] = [];
  afterAll(async () => {
    if (made.length === 0) return;
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
    try {
      for (const schema of made) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await pool.end();
    }
  });
  return {
    fresh: () => {
      const schema = `aiaas_test_${randomBytes(6).toString('hex')}`;
      made.push(schema);
      return schema;
    },
  };
}
