import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { sdkVersion } from '../../src/client/sdk-version.js';
import config from '../../tsup.config.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

describe('aiaas --version', () => {
  it('prints the version in package.json, for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const io = bufferIo();
      expect(await runCli([flag], io)).toBe(0);
      expect(io.out).toEqual([manifest.version]);
      expect(io.err).toEqual([]);
    }
  });

  it('lists --version in the help', async () => {
    const io = bufferIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out.join('\n')).toMatch(/^ {2}-v, --version +print the version/m);
  });

  it('agrees with the version the client sends in its user agent', () => {
    expect(sdkVersion).toBe(manifest.version);
  });
});

// The bin as users get it: built the way `npm run build` builds it, inside an installed package
// (node_modules/aiaas with its package.json), and run through the node_modules/.bin link.
describe('aiaas --version from the built package', () => {
  // Inside the repository's node_modules, so the bundle's bare imports (undici, zod) resolve as in an app.
  const project = join(root, 'node_modules', '.cache', `aiaas-cli-version-${process.pid}`);
  const installed = join(project, 'node_modules', 'aiaas');

  beforeAll(async () => {
    if (typeof config === 'function' || Array.isArray(config))
      throw new Error('expected one tsup config object');
    await rm(project, { recursive: true, force: true });
    await mkdir(installed, { recursive: true });
    await build({
      ...config,
      entry: { 'cli/main': 'src/cli/main.ts' },
      outDir: join(installed, 'dist'),
      dts: false,
      sourcemap: false,
      silent: true,
    });
    await copyFile(join(root, 'package.json'), join(installed, 'package.json'));
    await mkdir(join(project, 'node_modules', '.bin'));
    await symlink(join(installed, 'dist', 'cli', 'main.js'), join(project, 'node_modules', '.bin', 'aiaas'));
  }, 120_000);

  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('prints the installed package.json version', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(project, 'node_modules', '.bin', 'aiaas'), '--version'],
      {
        cwd: project,
      },
    );
    expect(stdout).toBe(`${manifest.version}\n`);
  });
});
