export * from './billed-usage.js';
export * from './decimal-string.js';
export * from './rate-card-schemas.js';
export * from './server-pricing-schemas.js';
export * from './server-usage-schemas.js';
export * from './stream-cancellation-schemas.js';
