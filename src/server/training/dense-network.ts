import { activateInPlace, backpropagateActivation } from './activations.js';
import { accumulateProduct, accumulateTransposedProduct, multiplyByTransposed } from './dense-kernels.js';
import { outputLoss } from './losses.js';
import type { LossName, NetworkArchitecture, NetworkParameters } from './training-contract.js';

interface LayerShape {
  inputs: number;
  units: number;
}

/**
 * A dense network's forward and backward passes over batches of up to `maxRows` rows. Every
 * buffer is allocated once here, so a training step allocates nothing. `parameters` are used (and
 * updated by the optimizer) in place.
 */
export class DenseNetwork {
  readonly architecture: NetworkArchitecture;
  readonly parameters: NetworkParameters;
  /** Filled by `lossAndGradients`, in the order of `parameters`. */
  readonly gradients: Float32Array[];
  readonly #shapes: LayerShape[];
  readonly #maxRows: number;
  /** Each layer's outputs (after its activation). */
  readonly #outputs: Float32Array[];
  /** Each layer's gradient with respect to its pre-activations. */
  readonly #deltas: Float32Array[];
  readonly #scratch: Float32Array;

  constructor(architecture: NetworkArchitecture, parameters: NetworkParameters, maxRows: number) {
    this.architecture = architecture;
    this.parameters = parameters;
    this.#maxRows = maxRows;
    this.#shapes = architecture.layers.map((layer, index) => ({
      inputs: index === 0 ? architecture.inputDim : architecture.layers[index - 1]!.units,
      units: layer.units,
    }));
    this.gradients = parameters.map((parameter) => new Float32Array(parameter.length));
    this.#outputs = this.#shapes.map((shape) => new Float32Array(maxRows * shape.units));
    this.#deltas = this.#shapes.map((shape) => new Float32Array(maxRows * shape.units));
    this.#scratch = new Float32Array(maxRows * Math.max(...this.#shapes.map((shape) => shape.units)));
  }

  get outputUnits(): number {
    return this.#shapes.at(-1)!.units;
  }

  /** The last layer's outputs for `rows` (at most maxRows) inputs: a view valid until the next call. */
  forward(inputs: Float32Array, rows: number): Float32Array {
    this.#shapes.forEach((shape, index) => {
      const output = this.#outputs[index]!;
      multiplyByTransposed(
        index === 0 ? inputs : this.#outputs[index - 1]!,
        this.parameters[2 * index]!,
        output,
        rows,
        shape.inputs,
        shape.units,
        this.parameters[2 * index + 1],
      );
      activateInPlace(this.architecture.layers[index]!.activation, output, rows, shape.units);
    });
    return this.#outputs.at(-1)!.subarray(0, rows * this.outputUnits);
  }

  /** Outputs for any number of rows, computed maxRows at a time. */
  predict(inputs: Float32Array, rows: number): Float32Array {
    const inputDim = this.architecture.inputDim;
    const units = this.outputUnits;
    const outputs = new Float32Array(rows * units);
    for (let start = 0; start < rows; start += this.#maxRows) {
      const count = Math.min(this.#maxRows, rows - start);
      const chunk = inputs.subarray(start * inputDim, (start + count) * inputDim);
      outputs.set(this.forward(chunk, count), start * units);
    }
    return outputs;
  }

  /** `l2 * sum(weights^2)` over every layer's weights (biases excluded). */
  l2Penalty(l2: number): number {
    let penalty = 0;
    this.#shapes.forEach((_, index) => {
      const weights = this.parameters[2 * index]!;
      for (let position = 0; position < weights.length; position++) {
        const weight = weights[position]!;
        penalty += l2 * weight * weight;
      }
    });
    return penalty;
  }

  /** The batch's mean loss plus the L2 penalty; its gradients land in `gradients`. */
  lossAndGradients(
    inputs: Float32Array,
    targets: Float32Array,
    rows: number,
    loss: LossName,
    l2: number,
  ): number {
    const outputs = this.forward(inputs, rows);
    const last = this.#shapes.length - 1;
    const lastActivation = this.architecture.layers[last]!.activation;
    const value = outputLoss(
      loss,
      lastActivation,
      outputs,
      targets,
      rows,
      this.outputUnits,
      this.#deltas[last],
    );
    for (let index = last; index >= 0; index--) {
      const { inputs: inputCount, units } = this.#shapes[index]!;
      const delta = this.#deltas[index]!;
      const input = index === 0 ? inputs : this.#outputs[index - 1]!;
      const weights = this.parameters[2 * index]!;
      const weightGradient = this.gradients[2 * index]!.fill(0);
      const biasGradient = this.gradients[2 * index + 1]!.fill(0);
      accumulateTransposedProduct(delta, input, weightGradient, rows, units, inputCount, this.#scratch);
      for (let row = 0; row < rows; row++) {
        for (let unit = 0; unit < units; unit++) biasGradient[unit]! += delta[row * units + unit]!;
      }
      // Added even when l2 is 0, so every gradient is rounded the same way whatever the setting.
      for (let position = 0; position < weights.length; position++)
        weightGradient[position]! += 2 * l2 * weights[position]!;
      if (index > 0) {
        const downstream = this.#deltas[index - 1]!.fill(0, 0, rows * inputCount);
        accumulateProduct(delta, weights, downstream, rows, units, inputCount);
        backpropagateActivation(
          this.architecture.layers[index - 1]!.activation,
          input,
          downstream,
          rows,
          inputCount,
        );
      }
    }
    return value + this.l2Penalty(l2);
  }
}
