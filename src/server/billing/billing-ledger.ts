import { Money } from '../../cost/money.js';
import { BillingFileAppender, type FsyncPolicy, loadBillingFile } from './billing-file.js';
import type { BillingRecord } from './billing-record.js';
import { matchesUsageFilter, type UsageFilter } from './usage-filter.js';

export interface BillingLedgerOptions {
  /** An append-only JSON Lines file; records in it are loaded at start. Default: memory only. */
  filePath?: string;
  /** Default `none`: a record survives a process crash at once, and power loss after the OS flushes. */
  fsync?: FsyncPolicy;
  /** Told about skipped lines of the file. Default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** The `GET /v1/usage` body (`serverUsageListSchema` in the cost layer). */
export interface UsageResponse {
  object: 'list';
  data: BillingRecord[];
  /** Per currency, the exact sum of the listed records' costs as a decimal string. */
  totals: Record<string, string>;
}

/**
 * The server's billing records: in memory, indexed by tenant, and (with `filePath`) appended
 * to a JSONL file, so usage totals survive a restart. Loading skips a torn last line (and any
 * invalid line) with a warning and never loses the lines before it. A tenant only ever sees
 * its own records.
 *
 * @example
 * const ledger = new BillingLedger({ filePath: './billing.jsonl' });
 * ledger.record(createBillingRecord({ ... }));
 * ledger.usageResponse(context.tenant.id, parseUsageQuery(context.query)); // the /v1/usage body
 * ledger.close();
 */
export class BillingLedger {
  /** Lines of the file skipped at load. */
  readonly skippedLines: number;
  readonly #byTenant = new Map<string, BillingRecord[]>();
  readonly #appender: BillingFileAppender | undefined;

  constructor(options: BillingLedgerOptions = {}) {
    let skipped = 0;
    const onWarning =
      options.onWarning ??
      ((message) => process.emitWarning(message, { code: 'AIAAS_BILLING_SKIPPED_LINE' }));
    if (options.filePath !== undefined) {
      const loaded = loadBillingFile(options.filePath, (message) => {
        skipped++;
        onWarning(message);
      });
      for (const record of loaded.records) this.#remember(record);
      this.#appender = new BillingFileAppender(options.filePath, options.fsync ?? 'none', loaded.tornTail);
    }
    this.skippedLines = skipped;
  }

  /** Keeps a record (and appends it to the file before returning). */
  record(record: BillingRecord): void {
    // Written first: a record the file could not take must not be reported as billed.
    this.#appender?.append(record);
    this.#remember(record);
  }

  /** The tenant's records in the order they were recorded, filtered. */
  recordsFor(tenant: string, filter: UsageFilter = {}): BillingRecord[] {
    return (this.#byTenant.get(tenant) ?? [])
      .filter((record) => matchesUsageFilter(record, filter))
      .map(copy);
  }

  /** The tenant's record of one request (what a stream cancel answers with), or undefined. */
  recordOf(tenant: string, requestId: string): BillingRecord | undefined {
    const records = this.#byTenant.get(tenant) ?? [];
    // Newest first: the request asked about has usually just settled.
    for (let index = records.length - 1; index >= 0; index--) {
      const record = records[index]!;
      if (record.request_id === requestId) return copy(record);
    }
    return undefined;
  }

  /** The `GET /v1/usage` body for a tenant: its records and the exact totals per currency. */
  usageResponse(tenant: string, filter: UsageFilter = {}): UsageResponse {
    const data = this.recordsFor(tenant, filter);
    const totals = new Map<string, Money>();
    for (const record of data) {
      const cost = Money.of(record.cost.amount, record.cost.currency);
      totals.set(cost.currency, (totals.get(cost.currency) ?? Money.zero(cost.currency)).plus(cost));
    }
    const sorted = [...totals.entries()].sort(([left], [right]) => left.localeCompare(right));
    return {
      object: 'list',
      data,
      totals: Object.fromEntries(sorted.map(([currency, total]) => [currency, total.toDecimalString()])),
    };
  }

  /** Closes the file. Records can still be read; recording more throws. */
  close(): void {
    this.#appender?.close();
  }

  #remember(record: BillingRecord): void {
    let records = this.#byTenant.get(record.tenant);
    if (records === undefined) {
      records = [];
      this.#byTenant.set(record.tenant, records);
    }
    records.push(copy(record));
  }
}

/** Callers get and give copies, so nobody can edit a billed record in place. */
function copy(record: BillingRecord): BillingRecord {
  return { ...record, usage: { ...record.usage }, cost: { ...record.cost } };
}
