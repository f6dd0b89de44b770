export * as aiaas from './aiaas/index.js';
export * as oip from './oip/index.js';
export * as ollama from './ollama/index.js';
export * as openai from './openai/index.js';
export {
  describeIssues,
  formatIssuePath,
  issuesOf,
  type ParseWireContext,
  parseWire,
} from './validate-wire.js';
