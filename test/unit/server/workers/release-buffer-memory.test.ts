import { describe, expect, it } from 'vitest';
import { releaseBufferMemory } from '../../../../src/server/workers/release-buffer-memory.js';

const mebibyte = 1024 * 1024;

describe('releaseBufferMemory', () => {
  it('frees the memory of a chunk that owns its buffer at once, and the chunk reads as empty', () => {
    for (let round = 0; round < 3; round++) {
      const chunk = Buffer.allocUnsafeSlow(8 * mebibyte).fill(round);
      const before = process.memoryUsage().arrayBuffers;
      expect(releaseBufferMemory(chunk)).toBe(true);
      expect(chunk.length).toBe(0);
      expect(process.memoryUsage().arrayBuffers).toBeLessThanOrEqual(before - 8 * mebibyte);
    }
  });

  it('frees a typed array of any kind that owns its buffer', () => {
    const logits = new Float32Array(2 * mebibyte).fill(0.5);
    const before = process.memoryUsage().arrayBuffers;
    expect(releaseBufferMemory(logits)).toBe(true);
    expect(logits.length).toBe(0);
    expect(process.memoryUsage().arrayBuffers).toBeLessThanOrEqual(before - 8 * mebibyte);
  });

  it('leaves a chunk that shares its buffer as it is', () => {
    const memory = new ArrayBuffer(1024);
    const slice = Buffer.from(memory, 16, 100).fill(7);
    const prefix = Buffer.from(memory, 0, 100);
    expect(releaseBufferMemory(slice)).toBe(false);
    expect(releaseBufferMemory(prefix)).toBe(false);
    expect(slice.length).toBe(100);
    expect(slice.every((byte) => byte === 7)).toBe(true);
    expect(memory.byteLength).toBe(1024);
  });

  it('leaves shared memory as it is', () => {
    const shared = Buffer.from(new SharedArrayBuffer(64)).fill(3);
    expect(releaseBufferMemory(shared)).toBe(false);
    expect(shared.length).toBe(64);
  });
});
