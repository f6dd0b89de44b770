export {
  type PriceField,
  type PriceVersion,
  type RateCard,
  type RateCatalog,
  rateCardSchema,
  rateCatalogSchema,
  type TokenTier,
} from '../wire/aiaas/rate-card-schemas.js';
export {
  type ServerModelPricing,
  type ServerPricing,
  serverPricingSchema,
} from '../wire/aiaas/server-pricing-schemas.js';
export {
  parseServerUsage,
  type ServerUsageCounts,
  type ServerUsageList,
  type ServerUsageRecord,
  serverUsageCountsSchema,
  serverUsageListSchema,
  serverUsageRecordSchema,
} from '../wire/aiaas/server-usage-schemas.js';
export type {
  BillingRecordFilter,
  BillingRecordSource,
  ProviderBillingRecord,
} from './billing-record-source.js';
export {
  Budget,
  type BudgetExpiry,
  type BudgetLimitStatus,
  type BudgetOptions,
  type BudgetReservation,
  type BudgetReserveOptions,
  type BudgetWarning,
} from './budget.js';
export { DEFAULT_LEASE_MS } from './budget-lease.js';
export {
  type BudgetLimit,
  type BudgetLimitOptions,
  type BudgetMode,
  type BudgetWindow,
  budgetScopes,
} from './budget-limit.js';
export type {
  BudgetCharge,
  BudgetChargeFilter,
  BudgetChargeState,
  BudgetCheck,
  BudgetReleaseOutcome,
  BudgetReserveResult,
  BudgetSettleOutcome,
  BudgetStore,
  BudgetTally,
  StoredBudgetCharge,
} from './budget-store.js';
export {
  BudgetStoreError,
  type BudgetStoreErrorOptions,
  type BudgetStoreOperation,
} from './budget-store-error.js';
export type { CostBreakdown, CostLine } from './cost-calculator.js';
export {
  type EstimatedMessage,
  estimatePromptTokens,
  estimateTokens,
  type Quote,
  type QuoteRangeOptions,
  quoteRange,
} from './cost-estimator.js';
export {
  buildCostReport,
  type CostReport,
  type CostReportRow,
  formatCostReportCsv,
  formatCostReportTable,
  parseReportDimensions,
  type ReportDimension,
} from './cost-report.js';
export {
  type DecimalValue,
  isDecimalString,
  parseDecimal,
  ROUNDING_MODES,
  type RoundingMode,
} from './decimal.js';
export { JsonlLedgerStore, type JsonlLedgerStoreOptions } from './jsonl-ledger-store.js';
export {
  BUDGET_CHARGE_TAG,
  COST_ENTRY_KIND_TAG,
  type CostLayerEntryKind,
  correctLeaseEstimate,
} from './lease-ledger-entries.js';
export { Ledger, type LedgerOptions } from './ledger.js';
export {
  LEDGER_STATUSES,
  type LedgerEntry,
  type LedgerEntryInput,
  type LedgerFilter,
  type LedgerStatus,
  matchesLedgerFilter,
} from './ledger-entry.js';
export { type LedgerRecord, ledgerEntryFromRecord, ledgerEntryToRecord } from './ledger-entry-codec.js';
export type { LedgerStore } from './ledger-store.js';
export {
  LedgerStoreError,
  type LedgerStoreErrorOptions,
  type LedgerStoreOperation,
} from './ledger-store-error.js';
export type { LitellmImportOptions } from './litellm-price-import.js';
export { MemoryBudgetStore } from './memory-budget-store.js';
export { MemoryLedgerStore } from './memory-ledger-store.js';
export type { MatchKind } from './model-name-matcher.js';
export { Money, type MoneyFormatOptions, type MoneyJSON } from './money.js';
export { PostgresBudgetStore, type PostgresBudgetStoreOptions } from './postgres-budget-store.js';
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
  PostgresQueryConfig,
  PostgresQueryResult,
  PostgresStoreOptions,
} from './postgres-connection.js';
export { PostgresLedgerStore, type PostgresLedgerStoreOptions } from './postgres-ledger-store.js';
export type { PostgresMigration, PostgresMigrationSubject } from './postgres-migrations.js';
export type { PostgresRetryOptions } from './postgres-retry.js';
export { migratePostgresStores, type PostgresStoreMigration } from './postgres-store-migrations.js';
export {
  type ModelCost,
  type ModelPrice,
  PriceCatalog,
  type PriceCatalogOptions,
  type UnpricedFallback,
} from './price-catalog.js';
export {
  RECONCILE_FIELDS,
  type ReconcileField,
  type ReconcileGroup,
  type ReconcileOptions,
  type ReconcileResult,
  type ReconcileStatus,
  reconcile,
} from './reconcile.js';
export {
  type RecoveredReservation,
  type RecoverUsageOptions,
  type RecoverUsageResult,
  recordBillingRecords,
  recoverUsage,
  type SkippedCall,
} from './recover-usage.js';
export { ServerBillingSource, type ServerBillingSourceOptions } from './server-billing-source.js';
export type { ServerPricingImportOptions } from './server-pricing-import.js';
export { SqliteBudgetStore, type SqliteBudgetStoreOptions } from './sqlite-budget-store.js';
export type { SqliteRetryOptions } from './sqlite-busy-retry.js';
export { type OpenSqliteOptions, openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';
export { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './sqlite-ledger-store.js';
export {
  addUsage,
  emptyUsage,
  isEmptyUsage,
  makeUsage,
  type Provenance,
  totalInputTokens,
  totalOutputTokens,
  USAGE_BUCKETS,
  type Usage,
  type UsageBucket,
  type UsageCount,
  type UsageInput,
  usageProvenance,
  usageValues,
  weakerProvenance,
  withProvenance,
} from './usage.js';
export {
  type NormalizeUsageOptions,
  normalizeAiaasUsage,
  normalizeAnthropicUsage,
  normalizeOipUsage,
  normalizeOllamaUsage,
  normalizeOpenAIUsage,
  type OipMeasurement,
} from './usage-normalizers.js';
