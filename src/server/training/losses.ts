import { backpropagateActivation } from './activations.js';
import type { Activation, LossName } from './training-contract.js';

/** Probabilities are clipped this far from 0 and 1 inside a logarithm, as Keras does. */
const epsilon = 1e-7;

function clipped(probability: number): number {
  return Math.min(Math.max(probability, epsilon), 1 - epsilon);
}

/**
 * The mean loss of a `rows x units` output against its targets and, when `gradient` is given, the
 * loss's gradient with respect to the last layer's pre-activations. Cross-entropy is only paired
 * with its own output activation (sigmoid, softmax), where that gradient is simply (p - y) / n.
 */
export function outputLoss(
  loss: LossName,
  activation: Activation,
  outputs: Float32Array,
  targets: Float32Array,
  rows: number,
  units: number,
  gradient?: Float32Array,
): number {
  const length = rows * units;
  let total = 0;
  if (loss === 'binary_crossentropy') {
    for (let position = 0; position < length; position++) {
      const probability = clipped(outputs[position]!);
      const target = targets[position]!;
      total -= target * Math.log(probability) + (1 - target) * Math.log(1 - probability);
      if (gradient !== undefined) gradient[position] = (outputs[position]! - target) / length;
    }
    return total / length;
  }
  if (loss === 'categorical_crossentropy') {
    for (let position = 0; position < length; position++) {
      const target = targets[position]!;
      if (target !== 0) total -= target * Math.log(clipped(outputs[position]!));
      if (gradient !== undefined) gradient[position] = (outputs[position]! - target) / rows;
    }
    return total / rows;
  }
  for (let position = 0; position < length; position++) {
    const difference = outputs[position]! - targets[position]!;
    total += difference * difference;
    if (gradient !== undefined) gradient[position] = (2 * difference) / length;
  }
  if (gradient !== undefined) backpropagateActivation(activation, outputs, gradient, rows, units);
  return total / length;
}
