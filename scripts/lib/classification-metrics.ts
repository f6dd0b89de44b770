export interface BinaryClassificationMetrics {
  examples: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** Accuracy, precision, recall and F1 of probabilities against 0/1 labels; positive means probability >= threshold. */
export function binaryClassificationMetrics(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold = 0.5,
): BinaryClassificationMetrics {
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  for (let index = 0; index < labels.length; index++) {
    const predicted = probabilities[index]! >= threshold;
    const actual = labels[index] === 1;
    if (predicted && actual) truePositives++;
    else if (predicted) falsePositives++;
    else if (actual) falseNegatives++;
    else trueNegatives++;
  }
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  return {
    examples: labels.length,
    accuracy: (truePositives + trueNegatives) / Math.max(1, labels.length),
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    truePositives,
    falsePositives,
    trueNegatives,
    falseNegatives,
  };
}
