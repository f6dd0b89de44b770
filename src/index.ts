// The public API of `aiaas`: an explicit allow-list. Anything not exported here is internal.

// Builders
export { ChatBuilder, chat } from './builders/chat-builder.js';
export { SequentialBuilder, sequential } from './builders/sequential-builder.js';
export { type ZodResponseFormat, zodResponseFormat } from './builders/structured-output.js';
export { type DatatypeOf, type TensorInput, type TensorSource, tensor } from './builders/tensor-builder.js';
export { type RunnableTool, type ToolSpec, tool } from './builders/tool-definition.js';
// Client
export { AiaasClient } from './client/aiaas-client.js';
export type { AiaasClientOptions } from './client/aiaas-client-options.js';
export { APIPromise, type WithResponse } from './client/api-promise.js';
export type { QuoteOptions, QuoteParams } from './client/call-quote.js';
export type {
  RequestOptions,
  StreamRequestOptions,
  VersionedRequestOptions,
} from './client/request-options.js';
export type { ChatCompletionParams } from './client/resources/chat-completions-resource.js';
export type { ParseChatParams, ParsedChatCompletion } from './client/resources/chat-structured.js';
export type { RunToolsParams, RunToolsResult } from './client/resources/chat-tool-runner.js';
export { CursorPage, CursorPagePromise } from './client/resources/cursor-page.js';
export { FilePage, FilePagePromise } from './client/resources/file-page.js';
export type { FileCreateParams, Files } from './client/resources/files-resource.js';
export type { FineTuningWaitOptions } from './client/resources/fine-tuning-job-wait.js';
export type {
  FineTuning,
  FineTuningJobCreateInput,
  FineTuningJobs,
} from './client/resources/fine-tuning-jobs-resource.js';
export {
  AIAAS_DEFAULT_EPOCHS,
  type FineTuningQuote,
  type FineTuningQuoteOptions,
} from './client/resources/fine-tuning-quote.js';
export type {
  InferenceRepository,
  RepositoryIndexOptions,
  RepositoryLoadOptions,
  RepositoryModelFile,
} from './client/resources/inference-repository-resource.js';
export type { InferOptions } from './client/resources/inference-resource.js';
export type {
  MeteredChatStream,
  MeteredChatStreamFinal,
  StreamCallInfo,
} from './client/stream-session/metered-chat-stream.js';
// Cost: money, prices, usage, ledger, budgets, reports, reconciliation, recovery.
export type {
  BillingRecordFilter,
  BillingRecordSource,
  ProviderBillingRecord,
} from './cost/billing-record-source.js';
export {
  Budget,
  type BudgetExpiry,
  type BudgetLimitStatus,
  type BudgetOptions,
  type BudgetReservation,
  type BudgetReserveOptions,
  type BudgetWarning,
} from './cost/budget.js';
export { DEFAULT_LEASE_MS } from './cost/budget-lease.js';
export {
  type BudgetLimit,
  type BudgetLimitOptions,
  type BudgetMode,
  type BudgetWindow,
  budgetScopes,
} from './cost/budget-limit.js';
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
} from './cost/budget-store.js';
export {
  BudgetStoreError,
  type BudgetStoreErrorOptions,
  type BudgetStoreOperation,
} from './cost/budget-store-error.js';
export type { CostBreakdown, CostLine } from './cost/cost-calculator.js';
export {
  type EstimatedMessage,
  estimatePromptTokens,
  estimateTokens,
  type Quote,
  type QuoteRangeOptions,
  quoteRange,
} from './cost/cost-estimator.js';
export {
  buildCostReport,
  type CostReport,
  type CostReportRow,
  formatCostReportCsv,
  formatCostReportTable,
  parseReportDimensions,
  type ReportDimension,
} from './cost/cost-report.js';
export type { RoundingMode } from './cost/decimal.js';
export { JsonlLedgerStore, type JsonlLedgerStoreOptions } from './cost/jsonl-ledger-store.js';
export {
  BUDGET_CHARGE_TAG,
  COST_ENTRY_KIND_TAG,
  type CostLayerEntryKind,
  correctLeaseEstimate,
} from './cost/lease-ledger-entries.js';
export { Ledger, type LedgerOptions } from './cost/ledger.js';
export type {
  LedgerEntry,
  LedgerEntryInput,
  LedgerFilter,
  LedgerStatus,
} from './cost/ledger-entry.js';
export type { LedgerStore } from './cost/ledger-store.js';
export {
  LedgerStoreError,
  type LedgerStoreErrorOptions,
  type LedgerStoreOperation,
} from './cost/ledger-store-error.js';
export type { LitellmImportOptions } from './cost/litellm-price-import.js';
export { MemoryBudgetStore } from './cost/memory-budget-store.js';
export { MemoryLedgerStore } from './cost/memory-ledger-store.js';
export { Money, type MoneyFormatOptions, type MoneyJSON } from './cost/money.js';
export { PostgresBudgetStore, type PostgresBudgetStoreOptions } from './cost/postgres-budget-store.js';
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
  PostgresQueryConfig,
  PostgresQueryResult,
  PostgresStoreOptions,
} from './cost/postgres-connection.js';
export { PostgresLedgerStore, type PostgresLedgerStoreOptions } from './cost/postgres-ledger-store.js';
export type { PostgresMigration, PostgresMigrationSubject } from './cost/postgres-migrations.js';
export type { PostgresRetryOptions } from './cost/postgres-retry.js';
export { migratePostgresStores, type PostgresStoreMigration } from './cost/postgres-store-migrations.js';
export {
  type ModelCost,
  type ModelPrice,
  PriceCatalog,
  type PriceCatalogOptions,
  type UnpricedFallback,
} from './cost/price-catalog.js';
export {
  type ReconcileField,
  type ReconcileGroup,
  type ReconcileOptions,
  type ReconcileResult,
  type ReconcileStatus,
  reconcile,
} from './cost/reconcile.js';
export {
  type RecoveredReservation,
  type RecoverUsageOptions,
  type RecoverUsageResult,
  recordBillingRecords,
  recoverUsage,
  type SkippedCall,
} from './cost/recover-usage.js';
export { ServerBillingSource, type ServerBillingSourceOptions } from './cost/server-billing-source.js';
export type { ServerPricingImportOptions } from './cost/server-pricing-import.js';
export { SqliteBudgetStore, type SqliteBudgetStoreOptions } from './cost/sqlite-budget-store.js';
export type { SqliteRetryOptions } from './cost/sqlite-busy-retry.js';
export type { OpenSqliteOptions } from './cost/sqlite-database.js';
export { SqliteLedgerStore, type SqliteLedgerStoreOptions } from './cost/sqlite-ledger-store.js';
export { StoreError, type StoreErrorOptions } from './cost/store-error.js';
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
  withProvenance,
} from './cost/usage.js';
export {
  type NormalizeUsageOptions,
  normalizeAiaasUsage,
  normalizeAnthropicUsage,
  normalizeOipUsage,
  normalizeOllamaUsage,
  normalizeOpenAIUsage,
  type OipMeasurement,
} from './cost/usage-normalizers.js';
// Errors
export type { RetryStopReason } from './errors/aiaas-error.js';
export {
  AbortError,
  AiaasError,
  APIError,
  AuthenticationError,
  BadRequestError,
  BudgetExceededError,
  ConflictError,
  ConnectionError,
  type ErrorPhase,
  InternalServerError,
  InvalidOptionError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
  UnpricedModelError,
  UnprocessableEntityError,
  ValidationError,
  type ValidationIssue,
} from './errors/index.js';
// Evaluation
export {
  type BinaryClassificationMetrics,
  binaryClassificationMetrics,
} from './evaluation/classification-metrics.js';
export { type ConfusionMatrix, type EvaluationResult, evaluate } from './evaluation/evaluate.js';
export type {
  EvaluateOptions,
  EvaluationClient,
  EvaluationProgress,
  PricedInferResult,
} from './evaluation/evaluation-options.js';
export type { LabelledData, LabelledExample } from './evaluation/labelled-batches.js';
// Providers (the extension interface and the common result types)
export type { Embedding, EmbeddingResult } from './providers/embedding-result.js';
export type {
  DecodedTensor,
  InferResult,
  TensorArrayByDatatype,
  TypedTensor,
} from './providers/oip/decoded-tensor.js';
export type {
  CursorList,
  FileOperations,
  FineTuningOperations,
  ModelVersionOptions,
  Provider,
  ProviderCallOptions,
  ProviderName,
  ProviderResult,
  ProviderStream,
} from './providers/provider-types.js';
export { UnsupportedOperationError } from './providers/unsupported-operation-error.js';
// Retry: the policy is replaceable (`retryPolicy` on the client or per call); the runner is internal.
export { classifyForRetry, type RetryClassification } from './retry/retry-classifier.js';
export type { BackoffOptions } from './retry/retry-delay.js';
export type { RetryEvent } from './retry/retry-options.js';
export {
  type DefaultRetryPolicyOptions,
  defaultRetryPolicy,
  type PolicyStopReason,
  type RetryDecision,
  type RetryPolicy,
} from './retry/retry-policy.js';
export type { RetryThrottleOptions } from './retry/retry-throttle.js';
// Streaming: streams come from `client.chat.completions.stream()` and `client.completions.stream()`.
export type { ChatStream, ChatStreamFinal } from './streaming/chat-stream.js';
export type {
  ChatStreamEvent,
  ErrorEvent,
  FinishEvent,
  ResponseMetadataEvent,
  StreamUsage,
  TextDeltaEvent,
  ToolCallDeltaEvent,
  UsageEvent,
  UsageProvenance,
} from './streaming/chat-stream-events.js';
export type { FinalChoice } from './streaming/stream-accumulator.js';
export { StreamTimeoutError, type StreamTimer } from './streaming/stream-timeout-error.js';
export { defaultFirstTokenTimeout, defaultIdleTimeout } from './streaming/stream-timeouts.js';
// Transport extension points
export { defaultMaxResponseBytes } from './transport/response-size-limit.js';
export type { LogArgumentOrder, Logger, LogLevel } from './transport/sdk-logger.js';
export type {
  Middleware,
  ResponseInfo,
  TransportHandler,
  TransportRequest,
  TransportResponse,
} from './transport/transport-types.js';
export type { PriceVersion, RateCard, RateCatalog, TokenTier } from './wire/aiaas/rate-card-schemas.js';
export type { ServerPricing } from './wire/aiaas/server-pricing-schemas.js';
export {
  parseServerUsage,
  type ServerUsageList,
  type ServerUsageRecord,
} from './wire/aiaas/server-usage-schemas.js';
export type { InferInput, InferRequest, ModelMetadata, ServerMetadata } from './wire/oip/oip-schemas.js';
export type { RepositoryIndexEntry } from './wire/oip/repository-schemas.js';
export type { TensorDatatype } from './wire/oip/tensor-datatypes.js';
// Wire types (inferred from the zod schemas in src/wire)
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  ToolCall,
} from './wire/openai/chat-schemas.js';
export type { Completion, CompletionRequest } from './wire/openai/completion-schemas.js';
export type { EmbeddingRequest } from './wire/openai/embedding-schemas.js';
export type {
  FileDeleted,
  FileList,
  FileListParams,
  FileObject,
  FilePurpose,
} from './wire/openai/file-schemas.js';
export type {
  CursorPageParams,
  FineTuningHyperparameters,
  FineTuningJob,
  FineTuningJobCheckpoint,
  FineTuningJobCreateParams,
  FineTuningJobEvent,
  FineTuningJobListParams,
  FineTuningJobStatus,
  FineTuningMetrics,
  SequentialActivation,
  SequentialArchitecture,
} from './wire/openai/fine-tuning-schemas.js';
export type { Model, ModelList } from './wire/openai/model-schemas.js';
export type { OpenAIUsage } from './wire/openai/openai-common.js';
export type { TokenizeRequest, TokenizeResponse } from './wire/openai/tokenize-schemas.js';
