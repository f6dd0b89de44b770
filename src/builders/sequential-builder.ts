import { ValidationError } from '../errors/index.js';
import {
  type SequentialActivation,
  type SequentialArchitecture,
  sequentialActivations,
} from '../wire/openai/fine-tuning-schemas.js';

type Layer = SequentialArchitecture['layers'][number];

// Checked when each layer is added, so the error points at the call that was wrong.
function invalid(path: string, message: string): never {
  throw new ValidationError(`Invalid sequential architecture: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

function requirePositiveInteger(value: unknown, path: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalid(path, `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function requireActivation(value: unknown, path: string): SequentialActivation {
  if (!(sequentialActivations as readonly unknown[]).includes(value)) {
    invalid(
      path,
      `unknown activation ${JSON.stringify(value)}; use one of ${sequentialActivations.join(', ')}`,
    );
  }
  return value as SequentialActivation;
}

/**
 * An immutable builder for the network an `aiaas/sequential` fine-tuning job trains from
 * scratch, in the shape of a Keras `Sequential` model. Every `dense()` returns a new builder;
 * `build()` (or `JSON.stringify`) gives the wire `architecture` field.
 *
 * @example
 * const architecture = sequential(100).dense(64, 'relu').dense(32, 'relu').dense(1, 'sigmoid').build();
 * await client.fineTuning.jobs.create({ model: 'aiaas/sequential', training_file: file.id, architecture });
 */
export class SequentialBuilder {
  // A class that refers to itself is renamed by the bundler; its name is part of the API.
  static {
    Object.defineProperty(SequentialBuilder, 'name', { value: 'SequentialBuilder' });
  }

  readonly inputDim: number;
  readonly layers: readonly Readonly<Layer>[];

  constructor(inputDim: number, layers: readonly Layer[] = []) {
    this.inputDim = requirePositiveInteger(inputDim, 'input_dim', 'the input dimension');
    this.layers = Object.freeze(
      layers.map((layer, index) =>
        Object.freeze({
          units: requirePositiveInteger(layer.units, `layers.${index}.units`, 'units'),
          activation: requireActivation(layer.activation, `layers.${index}.activation`),
        }),
      ),
    );
    Object.freeze(this);
  }

  /** Appends a fully connected layer of `units` outputs. */
  dense(units: number, activation: SequentialActivation = 'linear'): SequentialBuilder {
    return new SequentialBuilder(this.inputDim, [...this.layers, { units, activation }]);
  }

  /** The wire `architecture`; throws a `ValidationError` when no layer was added. */
  build(): SequentialArchitecture {
    if (this.layers.length === 0) invalid('layers', 'add at least one layer with .dense(units, activation)');
    return { input_dim: this.inputDim, layers: this.layers.map((layer) => ({ ...layer })) };
  }

  toJSON(): SequentialArchitecture {
    return this.build();
  }
}

/**
 * Starts a sequential network taking `inputDim` numbers per example.
 *
 * @example
 * sequential(100).dense(64, 'relu').dense(32, 'relu').dense(1, 'sigmoid');
 */
export function sequential(inputDim: number): SequentialBuilder {
  return new SequentialBuilder(inputDim);
}
