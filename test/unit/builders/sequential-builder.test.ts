import { describe, expect, it } from 'vitest';
import { SequentialBuilder, sequential } from '../../../src/builders/sequential-builder.js';
import { ValidationError } from '../../../src/errors/index.js';
import { sequentialArchitectureSchema } from '../../../src/wire/openai/fine-tuning-schemas.js';
import { failureOf } from '../../support/failure-of.js';

async function validationErrorOf(build: () => unknown): Promise<ValidationError> {
  const error = await failureOf(Promise.resolve().then(build));
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('sequential builder', () => {
  it("builds the Keras example's 100 → 64 relu → 32 relu → 1 sigmoid as the wire architecture", async () => {
    const architecture = sequential(100).dense(64, 'relu').dense(32, 'relu').dense(1, 'sigmoid').build();
    expect(architecture).toEqual({
      input_dim: 100,
      layers: [
        { units: 64, activation: 'relu' },
        { units: 32, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
    });
    expect(sequentialArchitectureSchema.parse(architecture)).toEqual(architecture);
  });

  it('serialises to the same architecture with JSON.stringify, so it can be sent as the field', async () => {
    const builder = sequential(4).dense(2, 'tanh').dense(1, 'linear');
    expect(JSON.parse(JSON.stringify({ architecture: builder }))).toEqual({ architecture: builder.build() });
  });

  it('is immutable: layers added to a shared base never change it', async () => {
    const base = sequential(10).dense(8, 'relu');
    const wide = base.dense(1, 'sigmoid');
    const deep = base.dense(4, 'relu').dense(1, 'sigmoid');
    expect(base.build().layers).toHaveLength(1);
    expect(wide.build().layers).toHaveLength(2);
    expect(deep.build().layers).toHaveLength(3);
    expect(Object.isFrozen(base)).toBe(true);
    expect(Object.isFrozen(base.layers)).toBe(true);
    expect(() => (base.layers as unknown as { units: number }[]).push({ units: 1 })).toThrow(TypeError);
    const built = wide.build();
    built.layers[0]!.units = 99;
    expect(wide.build().layers[0]!.units).toBe(8);
  });

  it('defaults a layer to the linear activation, as Keras does', async () => {
    expect(sequential(3).dense(2).build().layers).toEqual([{ units: 2, activation: 'linear' }]);
  });

  it.each([0, -1, 1.5, Number.NaN, '8' as unknown as number])(
    'refuses %s units, naming the layer',
    async (units) => {
      const error = await validationErrorOf(() => sequential(10).dense(4, 'relu').dense(units, 'relu'));
      expect(error.path).toBe('layers.1.units');
      expect(error.subject).toBe('request');
      expect(error.message).toContain('units must be a positive integer');
    },
  );

  it('refuses an unknown activation, listing the ones allowed', async () => {
    const error = await validationErrorOf(() => sequential(10).dense(4, 'gelu' as never));
    expect(error.path).toBe('layers.0.activation');
    expect(error.message).toContain('"gelu"');
    expect(error.message).toContain('relu, sigmoid, tanh, softmax, linear');
  });

  it('refuses a bad input dimension and an architecture without layers', async () => {
    expect((await validationErrorOf(() => sequential(0))).path).toBe('input_dim');
    const empty = await validationErrorOf(() => sequential(5).build());
    expect(empty.path).toBe('layers');
    expect(empty.message).toContain('.dense(units, activation)');
  });

  it('keeps its class name (part of the API)', async () => {
    expect(SequentialBuilder.name).toBe('SequentialBuilder');
    expect(sequential(1)).toBeInstanceOf(SequentialBuilder);
  });
});
