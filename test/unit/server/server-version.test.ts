import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverVersion } from '../../../src/server/server-version.js';

describe('serverVersion', () => {
  it("is package.json's version (what GET /v2 reports)", () => {
    const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(serverVersion).toBe(packageJson.version);
  });
});
