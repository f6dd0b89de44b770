import type { NetworkParameters, OptimizerName } from './training-contract.js';

/** Updates parameter arrays in place from gradients at the same positions. */
export interface Optimizer {
  learningRate: number;
  step(gradients: readonly Float32Array[]): void;
  /** Copies of everything the optimizer carries between steps (TrainingResumeState.optimizerState). */
  saveState(): Float32Array[];
}

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Continue from a saved state: `saveState()`'s moments and the steps taken so far. */
  resume?: { state: readonly Float32Array[]; steps: number } | undefined;
}

function copies(arrays: readonly Float32Array[]): Float32Array[] {
  return arrays.map((array) => array.slice());
}

/**
 * Adam (Kingma & Ba, 2015) over a list of parameter arrays, each updated in place from the
 * gradient array at the same position. Bias-corrected first and second moments.
 */
export class AdamOptimizer implements Optimizer {
  readonly #parameters: readonly Float32Array[];
  readonly #firstMoments: Float32Array[];
  readonly #secondMoments: Float32Array[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  learningRate: number;
  #steps = 0;

  constructor(parameters: readonly Float32Array[], options: AdamOptions) {
    this.#parameters = parameters;
    this.#firstMoments = parameters.map((parameter) => new Float32Array(parameter.length));
    this.#secondMoments = parameters.map((parameter) => new Float32Array(parameter.length));
    this.learningRate = options.learningRate;
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.999;
    this.#epsilon = options.epsilon ?? 1e-8;
    if (options.resume !== undefined) {
      const { state, steps } = options.resume;
      if (state.length !== 2 * parameters.length)
        throw new RangeError(`Adam state has ${state.length} arrays, expected ${2 * parameters.length}`);
      parameters.forEach((parameter, index) => {
        const first = state[index]!;
        const second = state[parameters.length + index]!;
        if (first.length !== parameter.length || second.length !== parameter.length)
          throw new RangeError(
            `Adam state for parameter ${index} does not match its ${parameter.length} values`,
          );
        this.#firstMoments[index]!.set(first);
        this.#secondMoments[index]!.set(second);
      });
      this.#steps = steps;
    }
  }

  step(gradients: readonly Float32Array[]): void {
    this.#steps++;
    const beta1 = this.#beta1;
    const beta2 = this.#beta2;
    // Bias corrections folded into the step size, as in the paper's efficient form.
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** this.#steps)) / (1 - beta1 ** this.#steps);
    this.#parameters.forEach((parameter, index) => {
      const gradient = gradients[index]!;
      const first = this.#firstMoments[index]!;
      const second = this.#secondMoments[index]!;
      for (let position = 0; position < parameter.length; position++) {
        const value = gradient[position]!;
        const m = beta1 * first[position]! + (1 - beta1) * value;
        const v = beta2 * second[position]! + (1 - beta2) * value * value;
        first[position] = m;
        second[position] = v;
        parameter[position]! -= (stepSize * m) / (Math.sqrt(v) + this.#epsilon);
      }
    });
  }

  /** First moments of every parameter, then second moments. */
  saveState(): Float32Array[] {
    return [...copies(this.#firstMoments), ...copies(this.#secondMoments)];
  }
}

/** Plain stochastic gradient descent: no state between steps. */
export class SgdOptimizer implements Optimizer {
  readonly #parameters: readonly Float32Array[];
  learningRate: number;

  constructor(parameters: readonly Float32Array[], learningRate: number) {
    this.#parameters = parameters;
    this.learningRate = learningRate;
  }

  step(gradients: readonly Float32Array[]): void {
    const learningRate = this.learningRate;
    this.#parameters.forEach((parameter, index) => {
      const gradient = gradients[index]!;
      for (let position = 0; position < parameter.length; position++)
        parameter[position]! -= learningRate * gradient[position]!;
    });
  }

  saveState(): Float32Array[] {
    return [];
  }
}

export function createOptimizer(
  name: OptimizerName,
  parameters: NetworkParameters,
  learningRate: number,
  resume?: { state: readonly Float32Array[]; steps: number } | undefined,
): Optimizer {
  if (name === 'sgd') return new SgdOptimizer(parameters, learningRate);
  return new AdamOptimizer(parameters, { learningRate, resume });
}
