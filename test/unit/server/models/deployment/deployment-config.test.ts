import { describe, expect, it } from 'vitest';
import type { ModelSignature } from '../../../../../src/server/inference/model-signature.js';
import {
  checkConfigAgainstGraph,
  parseDeploymentConfig,
} from '../../../../../src/server/models/deployment/deployment-config.js';

const signature: ModelSignature = {
  inputs: [{ name: 'x', type: 'float32', declaredType: 'float32', shape: [-1, 3] }],
  outputs: [{ name: 'y', type: 'float32', declaredType: 'float32', shape: [-1, 3] }],
};

const check = (config: object) => () =>
  checkConfigAgainstGraph(parseDeploymentConfig(JSON.stringify(config), 'm'), signature);

describe('parseDeploymentConfig', () => {
  it("reads Triton's JSON config and refuses what this server cannot serve", () => {
    expect(parseDeploymentConfig('{"max_batch_size":4,"instance_group":[]}', 'm')).toMatchObject({
      max_batch_size: 4,
    });
    expect(() => parseDeploymentConfig('[', 'm')).toThrow(/the config is not JSON/);
    expect(() => parseDeploymentConfig('{"max_batch_size":-1}', 'm')).toThrow(
      /the config is invalid: max_batch_size/,
    );
    expect(() => parseDeploymentConfig('{"name":"other"}', 'm')).toThrow(
      "the config names the model 'other', not 'm'",
    );
    expect(() => parseDeploymentConfig('{"backend":"python"}', 'm')).toThrow(
      /backend 'python' is not served/,
    );
    expect(() => parseDeploymentConfig('{"input":[{"name":"x","data_type":"TYPE_BF16"}]}', 'm')).toThrow(
      "the data_type 'TYPE_BF16' of 'x' is not supported",
    );
  });
});

describe('checkConfigAgainstGraph', () => {
  it('accepts a config that agrees with the graph, batched or not', () => {
    expect(
      check({ max_batch_size: 8, input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [3] }] }),
    ).not.toThrow();
    expect(check({ input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [-1, 3] }] })).not.toThrow();
    expect(check({})).not.toThrow();
  });

  it('names what contradicts the graph', () => {
    expect(check({ input: [{ name: 'x', data_type: 'TYPE_INT32' }] })).toThrow(
      "the config says the input 'x' is TYPE_INT32; the graph says float32",
    );
    expect(check({ max_batch_size: 8, input: [{ name: 'x', dims: [2, 3] }] })).toThrow(
      "the config gives the input 'x' the shape [-1, 2, 3]; the graph says [-1, 3]",
    );
    expect(check({ output: [{ name: 'z' }] })).toThrow(
      "the config has the output 'z'; the graph's outputs are 'y'",
    );
  });
});
