import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersions } from '../../../../src/server/models/model-name-rules.js';
import { scanTritonRepository } from '../../../../src/server/models/triton-repository.js';
import type { ServerLogger } from '../../../../src/server/server-logger.js';

const temporary = mkdtempSync(join(tmpdir(), 'aiaas-triton-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

function file(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'not really onnx');
}

function recordingLogger(): ServerLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info() {},
    error() {},
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`),
  };
}

describe('scanTritonRepository', () => {
  it('finds <model>/<version>/model.onnx, versions in numeric order, and skips what cannot be served', async () => {
    const root = join(temporary, 'repository');
    file(join(root, 'iris', '1', 'model.onnx'));
    file(join(root, 'iris', '10', 'model.onnx'));
    file(join(root, 'iris', '9', 'model.onnx'));
    file(join(root, 'iris', 'latest', 'model.onnx'));
    file(join(root, 'iris', '2', 'weights.bin'));
    file(join(root, 'bad name', '1', 'model.onnx'));
    file(join(root, 'empty-model', 'README.md'));
    writeFileSync(join(root, 'notes.txt'), 'a file beside the models');
    const outside = join(temporary, 'outside');
    file(join(outside, 'model.onnx'));
    mkdirSync(join(root, 'escape'), { recursive: true });
    symlinkSync(outside, join(root, 'escape', '1'));

    const logger = recordingLogger();
    const models = await scanTritonRepository(root, logger);
    expect(models.map((model) => model.name)).toEqual(['iris']);
    expect(models[0]!.versions.map((entry) => entry.version)).toEqual(['1', '9', '10']);
    expect(models[0]!.versions[2]!.path).toBe(join(root, 'iris', '10', 'model.onnx'));
    expect(logger.warnings.some((line) => line.includes('bad name'))).toBe(true);
    expect(logger.warnings.some((line) => line.includes('outside the repository'))).toBe(true);
    expect(logger.warnings.some((line) => line.includes('empty-model'))).toBe(true);
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(scanTritonRepository(join(temporary, 'missing'), recordingLogger())).rejects.toThrow(
      /does not exist/,
    );
  });

  it('orders long version numbers without losing precision', () => {
    expect(compareVersions('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(['10', '2', '1'].sort(compareVersions)).toEqual(['1', '2', '10']);
  });
});
