import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Makes temporary directories named `<prefix>-…` for one test file and removes them all after
 * its last test, so runs do not pile directories up in the system's temporary folder.
 *
 * @example
 * const temporaryDirectory = useTemporaryDirectories('aiaas-rate-card');
 * const path = join(temporaryDirectory(), 'rates.json');
 */
export function useTemporaryDirectories(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(join(tmpdir(), `${prefix}-`));
    made.push(directory);
    return directory;
  };
}
