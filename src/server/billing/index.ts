export type { FsyncPolicy } from './billing-file.js';
export { BillingLedger, type BillingLedgerOptions, type UsageResponse } from './billing-ledger.js';
export {
  type BillingRecord,
  type BillingRecordInput,
  type BillingStatus,
  createBillingRecord,
} from './billing-record.js';
export { defaultRateCardJson } from './default-rate-card.js';
export { type MeasuredUsage, meterUsage } from './metered-usage.js';
export { priceUsage } from './price-usage.js';
export { RateCard, type RateCardJson } from './rate-card.js';
export { tenantIdForKey } from './tenant-id.js';
export { matchesUsageFilter, parseUsageQuery, type UsageFilter, UsageQueryError } from './usage-filter.js';
