/**
 * Metrics of a binary classifier's probabilities against 0/1 labels. Pure math with no imports:
 * the SDK's evaluate() and the server's trainer both use it, so both report the same numbers.
 */

export interface BinaryClassificationMetrics {
  examples: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Area under the ROC curve from ranks (tied probabilities share their average rank); NaN when a class is absent. */
  rocAuc: number;
  /** Mean binary cross-entropy, probabilities clipped to [1e-7, 1 - 1e-7] so a confident miss stays finite. */
  logLoss: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

const clip = 1e-7;

function checkInputs(probabilities: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): void {
  if (probabilities.length !== labels.length)
    throw new RangeError(
      `binaryClassificationMetrics: ${probabilities.length} probabilities but ${labels.length} labels`,
    );
  if (labels.length === 0) throw new RangeError('binaryClassificationMetrics: no examples');
  if (!(threshold >= 0 && threshold <= 1))
    throw new RangeError(`binaryClassificationMetrics: threshold ${threshold} is not in [0, 1]`);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index];
    if (label !== 0 && label !== 1)
      throw new RangeError(`binaryClassificationMetrics: labels[${index}] is ${label}, not 0 or 1`);
    const probability = probabilities[index]!;
    if (!(probability >= 0 && probability <= 1))
      throw new RangeError(
        `binaryClassificationMetrics: probabilities[${index}] is ${probability}, not in [0, 1]`,
      );
  }
}

/**
 * Mann-Whitney form of the AUC: the chance a random positive scores above a random negative,
 * counting ties as half. Sorting once makes it O(n log n).
 */
function rankAuc(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, index) => index).sort(
    (left, right) => probabilities[left]! - probabilities[right]!,
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && probabilities[order[end]!] === probabilities[order[start]!]) end++;
    // Ranks start + 1 .. end share their average.
    const averageRank = (start + 1 + end) / 2;
    for (let position = start; position < end; position++) {
      if (labels[order[position]!] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Accuracy, precision, recall, F1, ROC AUC, log loss and the confusion counts; an example is
 * predicted positive when its probability is at least `threshold`. Precision (recall) is 0 when
 * nothing is predicted (actually) positive. Throws a RangeError naming the bad argument.
 *
 * @example
 * binaryClassificationMetrics([0.9, 0.2, 0.6], [1, 0, 0]).accuracy; // 2/3
 */
export function binaryClassificationMetrics(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold = 0.5,
): BinaryClassificationMetrics {
  checkInputs(probabilities, labels, threshold);
  let truePositives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  let falseNegatives = 0;
  let crossEntropy = 0;
  for (let index = 0; index < labels.length; index++) {
    const probability = probabilities[index]!;
    const actual = labels[index] === 1;
    const predicted = probability >= threshold;
    if (predicted && actual) truePositives++;
    else if (predicted) falsePositives++;
    else if (actual) falseNegatives++;
    else trueNegatives++;
    const clipped = Math.min(Math.max(probability, clip), 1 - clip);
    crossEntropy -= actual ? Math.log(clipped) : Math.log(1 - clipped);
  }
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  return {
    examples: labels.length,
    accuracy: (truePositives + trueNegatives) / labels.length,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    rocAuc: rankAuc(probabilities, labels),
    logLoss: crossEntropy / labels.length,
    truePositives,
    falsePositives,
    trueNegatives,
    falseNegatives,
  };
}
