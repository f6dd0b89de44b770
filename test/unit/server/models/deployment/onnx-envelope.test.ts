import { describe, expect, it } from 'vitest';
import { onnxEnvelopeProblem } from '../../../../../src/server/models/deployment/onnx-envelope.js';
import { affineModel } from '../../../../integration/server-test-models.js';

describe('onnxEnvelopeProblem', () => {
  it('accepts a whole ONNX model', () => {
    expect(onnxEnvelopeProblem(affineModel(2, 1))).toBeUndefined();
  });

  it('says a file is empty, not ONNX, or truncated', () => {
    expect(onnxEnvelopeProblem(new Uint8Array())).toBe('is empty');
    expect(onnxEnvelopeProblem(new TextEncoder().encode('{"json": true}'))).toMatch(/^is not an ONNX model/);
    const whole = affineModel(2, 1);
    for (const cut of [whole.length - 1, Math.floor(whole.length / 2), 5]) {
      expect(onnxEnvelopeProblem(whole.slice(0, cut))).toMatch(
        /^is truncated or corrupt: the protobuf breaks off at byte \d+ of \d+/,
      );
    }
  });

  it('wants both an ir_version and a graph', () => {
    // Field 1 (ir_version) = 8 alone.
    expect(onnxEnvelopeProblem(new Uint8Array([0x08, 0x08]))).toBe('is not an ONNX model: it has no graph');
    // Field 7 (graph), an empty message, alone.
    expect(onnxEnvelopeProblem(new Uint8Array([0x3a, 0x00]))).toBe(
      'is not an ONNX model: it has no ir_version',
    );
  });
});
