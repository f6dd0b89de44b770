import { accumulateProduct, accumulateTransposedProduct, multiplyByTransposed } from './dense-kernels.js';
import { buildOnnxModel, floatTensor } from './onnx-model-builder.js';
import { uniformArray } from './random-arrays.js';

/** One dense layer: weights `outputs x inputs` (the ONNX Gemm transB layout) and a bias per output. */
interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: Float32Array;
  bias: Float32Array;
}

/**
 * A multilayer perceptron for binary classification: dense layers with ReLU between them and a
 * single sigmoid output, trained on binary cross-entropy plus L2 regularisation of the weights.
 */
export class BinaryClassifierNetwork {
  readonly layers: DenseLayer[];

  /** `sizes` lists every width, input first, ending with 1. */
  constructor(sizes: readonly number[], random: () => number) {
    if (sizes.at(-1) !== 1) throw new Error('The last layer of a binary classifier has one output.');
    this.layers = sizes.slice(1).map((outputs, index) => {
      const inputs = sizes[index]!;
      // He initialisation keeps ReLU activations from shrinking or exploding layer after layer.
      return {
        inputs,
        outputs,
        weights: uniformArray(outputs * inputs, Math.sqrt(6 / inputs), random),
        bias: new Float32Array(outputs),
      };
    });
  }

  get parameters(): Float32Array[] {
    return this.layers.flatMap((layer) => [layer.weights, layer.bias]);
  }

  /** Activations of every layer for `rows` inputs; the last entry holds the probabilities. */
  forward(inputs: Float32Array, rows: number): Float32Array[] {
    const activations = [inputs];
    this.layers.forEach((layer, index) => {
      const output = new Float32Array(rows * layer.outputs);
      multiplyByTransposed(
        activations[index]!,
        layer.weights,
        output,
        rows,
        layer.inputs,
        layer.outputs,
        layer.bias,
      );
      const isLast = index === this.layers.length - 1;
      for (let position = 0; position < output.length; position++) {
        const value = output[position]!;
        output[position] = isLast ? 1 / (1 + Math.exp(-value)) : Math.max(0, value);
      }
      activations.push(output);
    });
    return activations;
  }

  /**
   * Mean binary cross-entropy plus `l2 * sum(weights^2)` over a batch, and its gradients
   * (same order as `parameters`).
   */
  lossAndGradients(
    inputs: Float32Array,
    labels: Float32Array,
    rows: number,
    l2: number,
  ): { loss: number; gradients: Float32Array[] } {
    const activations = this.forward(inputs, rows);
    const probabilities = activations.at(-1)!;
    let loss = 0;
    // Sigmoid and cross-entropy together have the gradient p - y at the output's pre-activation.
    let upstream: Float32Array = new Float32Array(rows);
    for (let row = 0; row < rows; row++) {
      const probability = Math.min(Math.max(probabilities[row]!, 1e-7), 1 - 1e-7);
      const label = labels[row]!;
      loss -= label * Math.log(probability) + (1 - label) * Math.log(1 - probability);
      upstream[row] = (probabilities[row]! - label) / rows;
    }
    loss /= rows;
    const gradients: Float32Array[] = [];
    for (let index = this.layers.length - 1; index >= 0; index--) {
      const layer = this.layers[index]!;
      const input = activations[index]!;
      const weightGradient = new Float32Array(layer.weights.length);
      const biasGradient = new Float32Array(layer.outputs);
      accumulateTransposedProduct(upstream, input, weightGradient, rows, layer.outputs, layer.inputs);
      for (let position = 0; position < upstream.length; position++)
        biasGradient[position % layer.outputs]! += upstream[position]!;
      for (let position = 0; position < layer.weights.length; position++) {
        const weight = layer.weights[position]!;
        loss += l2 * weight * weight;
        weightGradient[position]! += 2 * l2 * weight;
      }
      gradients.unshift(weightGradient, biasGradient);
      if (index > 0) {
        const downstream = new Float32Array(rows * layer.inputs);
        accumulateProduct(upstream, layer.weights, downstream, rows, layer.outputs, layer.inputs);
        // ReLU passes gradient only where its output was positive.
        for (let position = 0; position < downstream.length; position++) {
          if (input[position]! <= 0) downstream[position] = 0;
        }
        upstream = downstream;
      }
    }
    return { loss, gradients };
  }

  /** The ONNX graph: `input` float32 [batch, inputs] -> `probability` float32 [batch, 1]. */
  toOnnx(name: string, description: string, metadata: Record<string, string>): Uint8Array {
    const initializers = this.layers.flatMap((layer, index) => [
      floatTensor(`dense_${index + 1}_weights`, [layer.outputs, layer.inputs], layer.weights),
      floatTensor(`dense_${index + 1}_bias`, [layer.outputs], layer.bias),
    ]);
    const nodes = this.layers.flatMap((_, index) => {
      const input = index === 0 ? 'input' : `activation_${index}`;
      const linear = `linear_${index + 1}`;
      const isLast = index === this.layers.length - 1;
      return [
        {
          opType: 'Gemm',
          inputs: [input, `dense_${index + 1}_weights`, `dense_${index + 1}_bias`],
          outputs: [linear],
          attributes: { transB: 1 },
        },
        {
          opType: isLast ? 'Sigmoid' : 'Relu',
          inputs: [linear],
          outputs: [isLast ? 'probability' : `activation_${index + 1}`],
        },
      ];
    });
    return buildOnnxModel({
      name,
      description,
      inputs: [{ name: 'input', type: 'float', shape: ['batch', this.layers[0]!.inputs] }],
      outputs: [{ name: 'probability', type: 'float', shape: ['batch', 1] }],
      initializers,
      nodes,
      metadata,
    });
  }
}
