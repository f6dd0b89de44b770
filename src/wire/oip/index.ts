export * from './oip-schemas.js';
export * from './repository-schemas.js';
export * from './tensor-datatypes.js';
