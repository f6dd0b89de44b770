import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryClassificationMetrics } from '../../../src/evaluation/classification-metrics.js';

describe('binaryClassificationMetrics', () => {
  it('counts the confusion matrix at the threshold and derives accuracy, precision, recall and F1', () => {
    // 0.9, 0.8 are true positives, 0.6 a false positive, 0.3 a false negative, 0.1 a true negative.
    const metrics = binaryClassificationMetrics([0.9, 0.8, 0.3, 0.6, 0.1], [1, 1, 1, 0, 0]);
    expect(metrics).toMatchObject({
      examples: 5,
      truePositives: 2,
      falsePositives: 1,
      falseNegatives: 1,
      trueNegatives: 1,
    });
    expect(metrics.accuracy).toBeCloseTo(3 / 5, 12);
    expect(metrics.precision).toBeCloseTo(2 / 3, 12);
    expect(metrics.recall).toBeCloseTo(2 / 3, 12);
    expect(metrics.f1).toBeCloseTo(2 / 3, 12);
    // Positives {0.9, 0.8, 0.3} against negatives {0.6, 0.1}: 5 of the 6 pairs are ordered right.
    expect(metrics.rocAuc).toBeCloseTo(5 / 6, 12);
  });

  it('counts a probability equal to the threshold as positive, and honours another threshold', () => {
    expect(binaryClassificationMetrics([0.5], [1]).truePositives).toBe(1);
    const strict = binaryClassificationMetrics([0.9, 0.8, 0.3, 0.6, 0.1], [1, 1, 1, 0, 0], 0.85);
    expect(strict).toMatchObject({
      truePositives: 1,
      falsePositives: 0,
      falseNegatives: 2,
      trueNegatives: 2,
    });
  });

  it('counts a tie between a positive and a negative as half a correctly ordered pair', () => {
    // The positive 0.7 ties the negative 0.7 (1/2) and beats 0.2 (1): 1.5 of 2 pairs.
    expect(binaryClassificationMetrics([0.7, 0.7, 0.2], [1, 0, 0]).rocAuc).toBeCloseTo(0.75, 12);
    expect(binaryClassificationMetrics([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]).rocAuc).toBe(0.5);
    // Two tied groups: positives {0.4, 0.8, 0.8}, negatives {0.4, 0.4, 0.1}.
    // 0.8s beat all three (3 each); 0.4 ties two (1) and beats 0.1 (1): (6 + 2) / 9.
    expect(
      binaryClassificationMetrics([0.4, 0.8, 0.8, 0.4, 0.4, 0.1], [1, 1, 1, 0, 0, 0]).rocAuc,
    ).toBeCloseTo(8 / 9, 12);
  });

  it('gives an AUC of 1 for a perfect ranking and 0 for a reversed one, whatever the threshold', () => {
    expect(binaryClassificationMetrics([0.3, 0.2, 0.1], [1, 1, 0]).rocAuc).toBe(1);
    expect(binaryClassificationMetrics([0.1, 0.2, 0.3], [1, 1, 0]).rocAuc).toBe(0);
  });

  it('reports NaN AUC when one class is absent, and zero precision when nothing is predicted positive', () => {
    const metrics = binaryClassificationMetrics([0.1, 0.2], [0, 0]);
    expect(metrics.rocAuc).toBeNaN();
    expect(metrics.precision).toBe(0);
    expect(metrics.recall).toBe(0);
    expect(metrics.f1).toBe(0);
    expect(metrics.accuracy).toBe(1);
  });

  it('computes the mean cross-entropy with probabilities clipped to 1e-7', () => {
    expect(binaryClassificationMetrics([0.5], [1]).logLoss).toBeCloseTo(Math.LN2, 12);
    expect(binaryClassificationMetrics([0.8, 0.25], [1, 0]).logLoss).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.75)) / 2,
      12,
    );
    // A certain miss costs -ln(1e-7), not Infinity.
    expect(binaryClassificationMetrics([0, 1], [1, 1]).logLoss).toBeCloseTo(
      -(Math.log(1e-7) + Math.log(1 - 1e-7)) / 2,
      9,
    );
  });

  it('matches the pairwise definition of the AUC on random data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 1 })), { minLength: 1 }),
        (rows) => {
          const probabilities = rows.map(([score]) => score / 10);
          const labels = rows.map(([, label]) => label);
          let ordered = 0;
          let pairs = 0;
          rows.forEach(([positive, positiveLabel]) => {
            if (positiveLabel !== 1) return;
            rows.forEach(([negative, negativeLabel]) => {
              if (negativeLabel !== 0) return;
              pairs++;
              ordered += positive > negative ? 1 : positive === negative ? 0.5 : 0;
            });
          });
          const auc = binaryClassificationMetrics(probabilities, labels).rocAuc;
          if (pairs === 0) expect(auc).toBeNaN();
          else expect(auc).toBeCloseTo(ordered / pairs, 12);
        },
      ),
    );
  });

  it('refuses mismatched lengths, no examples, labels other than 0 and 1, and probabilities outside [0, 1]', () => {
    expect(() => binaryClassificationMetrics([0.5], [1, 0])).toThrow(/1 probabilities but 2 labels/);
    expect(() => binaryClassificationMetrics([], [])).toThrow(/no examples/);
    expect(() => binaryClassificationMetrics([0.5, 0.5], [1, 2])).toThrow(/labels\[1\] is 2/);
    expect(() => binaryClassificationMetrics([0.5, Number.NaN], [1, 0])).toThrow(/probabilities\[1\] is NaN/);
    expect(() => binaryClassificationMetrics([1.5], [1])).toThrow(/probabilities\[0\] is 1.5/);
    expect(() => binaryClassificationMetrics([0.5], [1], 2)).toThrow(/threshold 2/);
  });
});
