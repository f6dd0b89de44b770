import { describe, expect, it } from 'vitest';
import { exitOf, runAiaas } from '../support/aiaas-process.js';

describe('aiaas serve', () => {
  it('prints its URL and models, serves, and exits 0 on SIGTERM', async () => {
    const child = runAiaas([
      'serve',
      '--port',
      '0',
      '--seed',
      '7',
      '--api-key',
      'sk-cli-1',
      '--api-key',
      'sk-cli-2',
    ]);
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes('auth:')) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
    });
    expect(stdout).toContain('models: ref-chat, ref-embed, ref-classify');
    expect(stdout).toContain('auth: 2 API key(s)');
    expect(stdout).not.toContain('sk-cli');
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-cli-2' } });
    expect(models.status).toBe(200);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('SIGTERM received');
    expect(stderr).not.toContain('sk-cli');
    // Said once, on stdout: the server's own start-up line is not repeated on stderr.
    expect(`${stdout}\n${stderr}`.match(/listening/g)).toHaveLength(1);
    // The server's other lines still reach stderr.
    expect(stderr).toMatch(/request served/);
  });

  it('exits with code 2 and names an unknown flag', async () => {
    const { code, stderr } = await exitOf(runAiaas(['serve', '--verbose']));
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--verbose'");
  });

  it('prints help', async () => {
    const { code, stdout } = await exitOf(runAiaas(['serve', '--help']));
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: aiaas serve');
  });
});
