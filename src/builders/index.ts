export { ChatBuilder, chat, isChatBuilder } from './chat-builder.js';
export { type DatatypeOf, type TensorInput, type TensorSource, tensor } from './tensor-builder.js';
