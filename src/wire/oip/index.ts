export * from './oip-schemas.js';
export * from './tensor-datatypes.js';
