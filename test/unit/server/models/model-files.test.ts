import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtInModelFile,
  builtInModelNames,
  builtInModelsDir,
} from '../../../../src/server/models/model-files.js';

describe('built-in model files', () => {
  it('finds the package models/ directory with every built-in model, its config and card', () => {
    expect(builtInModelsDir.endsWith('models')).toBe(true);
    for (const name of builtInModelNames) {
      expect(existsSync(builtInModelFile(name))).toBe(true);
      const config = JSON.parse(readFileSync(join(builtInModelsDir, name, 'config.json'), 'utf8')) as {
        name: string;
      };
      expect(config.name).toBe(name);
      expect(readFileSync(join(builtInModelsDir, name, 'README.md'), 'utf8')).toContain(`# ${name}`);
    }
  });
});
