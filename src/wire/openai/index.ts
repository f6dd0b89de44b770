export * from './chat-schemas.js';
export * from './completion-schemas.js';
export * from './embedding-schemas.js';
export * from './error-schemas.js';
export * from './file-schemas.js';
export * from './model-schemas.js';
export * from './openai-common.js';
export * from './tokenize-schemas.js';
