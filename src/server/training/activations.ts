import type { Activation } from './training-contract.js';

/** Applies `activation` to a `rows x units` matrix of pre-activations, in place. */
export function activateInPlace(
  activation: Activation,
  values: Float32Array,
  rows: number,
  units: number,
): void {
  const length = rows * units;
  switch (activation) {
    case 'relu':
      for (let position = 0; position < length; position++) values[position] = Math.max(0, values[position]!);
      return;
    case 'sigmoid':
      for (let position = 0; position < length; position++)
        values[position] = 1 / (1 + Math.exp(-values[position]!));
      return;
    case 'tanh':
      for (let position = 0; position < length; position++) values[position] = Math.tanh(values[position]!);
      return;
    case 'softmax':
      for (let row = 0; row < rows; row++) softmaxRow(values, row * units, units);
      return;
    case 'linear':
      return;
  }
}

function softmaxRow(values: Float32Array, offset: number, units: number): void {
  // Subtracting the row's maximum keeps exp from overflowing; the result is unchanged.
  let maximum = Number.NEGATIVE_INFINITY;
  for (let unit = 0; unit < units; unit++) maximum = Math.max(maximum, values[offset + unit]!);
  let total = 0;
  for (let unit = 0; unit < units; unit++) {
    const value = Math.exp(values[offset + unit]! - maximum);
    values[offset + unit] = value;
    total += value;
  }
  for (let unit = 0; unit < units; unit++) values[offset + unit]! /= total;
}

/**
 * Turns the gradient with respect to an activation's outputs into the gradient with respect to
 * its inputs, in place, from the outputs alone (every supported derivative is a function of them).
 */
export function backpropagateActivation(
  activation: Activation,
  outputs: Float32Array,
  gradient: Float32Array,
  rows: number,
  units: number,
): void {
  const length = rows * units;
  switch (activation) {
    case 'relu':
      // ReLU passes gradient only where its output was positive.
      for (let position = 0; position < length; position++)
        if (outputs[position]! <= 0) gradient[position] = 0;
      return;
    case 'sigmoid':
      for (let position = 0; position < length; position++) {
        const output = outputs[position]!;
        gradient[position]! *= output * (1 - output);
      }
      return;
    case 'tanh':
      for (let position = 0; position < length; position++) {
        const output = outputs[position]!;
        gradient[position]! *= 1 - output * output;
      }
      return;
    case 'softmax':
      // The softmax Jacobian times g: s_i * (g_i - sum_j g_j s_j).
      for (let row = 0; row < rows; row++) {
        const offset = row * units;
        let dot = 0;
        for (let unit = 0; unit < units; unit++) dot += gradient[offset + unit]! * outputs[offset + unit]!;
        for (let unit = 0; unit < units; unit++)
          gradient[offset + unit] = outputs[offset + unit]! * (gradient[offset + unit]! - dot);
      }
      return;
    case 'linear':
      return;
  }
}
