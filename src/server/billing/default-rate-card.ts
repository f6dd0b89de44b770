import type { RateCardJson } from './rate-card.js';

/**
 * The card the server uses when none is configured: each built-in model under one of the
 * three business models, and a default for Triton-repository models. Amounts are made up but
 * plausible; what matters is that every one is a decimal string and every model is priced.
 */
export const defaultRateCardJson: RateCardJson = {
  currency: 'USD',
  effective_from: '2025-01-01',
  models: {
    // Per token, as LLM APIs bill.
    'ref-chat': { per_token: { input_per_million: '0.50', output_per_million: '1.50' } },
    // Per data volume: MB in and out, 1 MB = 1,000,000 bytes.
    'ref-embed': { per_mb_in: '0.10', per_mb_out: '0.02' },
    // Per compute-second, plus a small fee per request.
    'ref-classify': { per_compute_second: '0.0004', per_request: '0.00001' },
    // File uploads (`/v1/files`), per MB received.
    'aiaas-files': { per_mb_in: '0.02' },
    // Fine-tuning jobs: per compute-second trained, per MB and per 1,000 examples trained (each epoch).
    'aiaas-fine-tuning': { per_compute_second: '0.002', per_mb_in: '0.05', per_1k_trained_examples: '0.001' },
  },
  default_model: { per_1k_tensor_elements: '0.0001' },
};
