export * from './ollama-chat-schemas.js';
export * from './ollama-common.js';
export * from './ollama-embed-schemas.js';
export * from './ollama-generate-schemas.js';
export * from './ollama-model-schemas.js';
