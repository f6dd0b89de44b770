import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { runCli } from '../../../src/cli/cli-runner.js';
import { parseServeArguments } from '../../../src/cli/serve-command.js';

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

describe('aiaas serve arguments', () => {
  it('parses every option, with repeatable --api-key', () => {
    expect(
      parseServeArguments([
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--models',
        './repo',
        '--seed=-3',
        '--api-key',
        'a',
        '--api-key',
        'b',
      ]),
    ).toEqual({ host: '0.0.0.0', port: 0, modelsDir: './repo', seed: -3, apiKeys: ['a', 'b'] });
    expect(parseServeArguments([])).toEqual({
      host: '127.0.0.1',
      port: 8000,
      modelsDir: undefined,
      seed: 0,
      apiKeys: [],
    });
    expect(parseServeArguments(['--help'])).toBeUndefined();
  });

  it('exits with code 2 and a clear message on unknown flags and bad values', async () => {
    for (const args of [
      ['serve', '--prot', '1'],
      ['serve', '--port', 'http'],
      ['serve', '--port', '70000'],
      ['serve', 'extra'],
    ]) {
      const io = bufferIo();
      expect(await runCli(args, io)).toBe(2);
      expect(io.err.join('\n')).toMatch(/aiaas serve: .+\n.*--help/);
    }
    const io = bufferIo();
    expect(await runCli(['serve', '--prot', '1'], io)).toBe(2);
    expect(io.err[0]).toContain("'--prot'");
  });

  it('prints help with exit code 0, and refuses unknown commands with 2', async () => {
    const help = bufferIo();
    expect(await runCli(['serve', '--help'], help)).toBe(0);
    expect(help.out.join('\n')).toContain('--api-key <key>');
    const unknown = bufferIo();
    expect(await runCli(['serverless'], unknown)).toBe(2);
    expect(unknown.err.join('\n')).toContain("unknown command 'serverless'");
    const none = bufferIo();
    expect(await runCli([], none)).toBe(2);
  });
});
