import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { parseServeArguments } from '../../src/cli/serve-command.js';
import { defaultRateCardJson } from '../../src/server/billing/default-rate-card.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { affineConfig, inferAffine } from './deployment-test-client.js';
import { affineModel } from './server-test-models.js';

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

const key = 'sk-cli-deploy';
let server: ReferenceServer;
let directory: string;
let connection: string[];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-cli-deploy-'));
  server = await startReferenceServer({
    port: 0,
    apiKeys: [key],
    rateCard: {
      ...defaultRateCardJson,
      models: {
        ...defaultRateCardJson.models,
        'cli-affine': { per_hour_deployed: '3.60', per_request: '0.001' },
      },
    },
  });
  connection = ['--base-url', server.url, '--api-key', key];
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

describe('aiaas deploy, models and undeploy', () => {
  it('deploys an ONNX file with its config, lists it READY with its price, and undeploys it', async () => {
    const model = join(directory, 'affine.onnx');
    const config = join(directory, 'config.json');
    await writeFile(model, affineModel(2, 1));
    await writeFile(config, JSON.stringify(affineConfig));
    const deploy = bufferIo();
    const args = [
      'deploy',
      model,
      '--name',
      'cli-affine',
      '--version',
      '3',
      '--config',
      config,
      ...connection,
    ];
    expect(await runCli(args, deploy)).toBe(0);
    expect(deploy.out).toEqual(['deployed cli-affine version 3: READY']);
    expect((await inferAffine(server.url, key, 'cli-affine')).body).toMatchObject({
      model_version: '3',
      outputs: [{ data: [3, 5, 7] }],
    });

    const models = bufferIo();
    expect(await runCli(['models', '--provider', 'oip', ...connection], models)).toBe(0);
    expect(models.out).toContain('cli-affine    READY  USD 0.001/request, USD 3.60/hour deployed');
    expect(models.out).toContain('ref-chat      READY  USD 0.50/M input tokens, USD 1.50/M output tokens');

    const undeploy = bufferIo();
    expect(await runCli(['undeploy', 'cli-affine', ...connection], undeploy)).toBe(0);
    expect(undeploy.out).toEqual(['undeployed cli-affine']);
    const after = bufferIo();
    expect(await runCli(['models', '--provider', 'oip', ...connection], after)).toBe(0);
    expect(after.out).toContain(
      'cli-affine    UNAVAILABLE (unloaded)  USD 0.001/request, USD 3.60/hour deployed',
    );
  });

  it("exits 1 with the server's reason for a bad file, and 2 for a command line it cannot use", async () => {
    const junk = join(directory, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const bad = bufferIo();
    expect(await runCli(['deploy', junk, '--name', 'cli-affine', ...connection], bad)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/aiaas deploy: .*file:1\/model\.onnx is not an ONNX model/);
    const missing = bufferIo();
    expect(
      await runCli(['deploy', join(directory, 'nowhere.onnx'), '--name', 'x', ...connection], missing),
    ).toBe(1);
    expect(missing.err.join('\n')).toMatch(/cannot read .*nowhere\.onnx/);
    const unknown = bufferIo();
    expect(await runCli(['undeploy', 'never-deployed', ...connection], unknown)).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/404|does not exist/);
    expect(await runCli(['deploy', junk, ...connection], bufferIo())).toBe(2);
    expect(
      await runCli(['deploy', junk, '--name', 'x', '--version', 'latest', ...connection], bufferIo()),
    ).toBe(2);
    expect(await runCli(['undeploy', ...connection], bufferIo())).toBe(2);
    const help = bufferIo();
    expect(await runCli(['deploy', '--help'], help)).toBe(0);
    expect(help.out.join('\n')).toMatch(/Usage: aiaas deploy <model\.onnx> --name <name>/);
  });

  it('aiaas serve takes the per-key deployment limits', () => {
    expect(
      parseServeArguments(['--max-deployed-models', '3', '--max-deployed-bytes', '1048576']),
    ).toMatchObject({
      maxDeployedModelsPerTenant: 3,
      maxDeployedBytesPerTenant: 1048576,
    });
    expect(parseServeArguments([])).toMatchObject({ maxDeployedModelsPerTenant: undefined });
    expect(() => parseServeArguments(['--max-deployed-models', '0'])).toThrow(
      /--max-deployed-models must be an integer/,
    );
  });
});
