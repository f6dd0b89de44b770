export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba, 2015) over a list of parameter arrays, each updated in place from the
 * gradient array at the same position. Bias-corrected first and second moments.
 */
export class AdamOptimizer {
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
}
