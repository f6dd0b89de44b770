import { createRequire } from 'node:module';

/**
 * The version in the package's own package.json, read at run time so that it cannot drift from
 * what is installed. It is resolved by the package's name (Node's self-reference through
 * `exports['./package.json']`), which finds the same file from `src/cli/` in this repository
 * and from `dist/cli/main.js` (or a chunk next to it) in an installed copy.
 *
 * @example
 * io.stdout(packageVersion()); // '0.1.0'
 */
export function packageVersion(): string {
  const manifest: unknown = createRequire(import.meta.url)('aiaas/package.json');
  const version = (manifest as { version?: unknown } | null)?.version;
  if (typeof version !== 'string') throw new Error("aiaas's package.json has no version.");
  return version;
}
