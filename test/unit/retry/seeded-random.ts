// The server's seeded generator (mulberry32), so jittered delays are the same on every run.
export { createSeededRandom as seededRandom } from '../../../src/server/generation/sampler.js';
