import type {
  BillingRecordFilter,
  BillingRecordSource,
  ProviderBillingRecord,
} from '../../src/cost/billing-record-source.js';
import type { Money } from '../../src/cost/money.js';
import { makeUsage } from '../../src/cost/usage.js';

/** A provider's bill kept in an array: what a per-request billing API would answer. */
export class ArrayBillingSource implements BillingRecordSource {
  readonly name = 'test-provider';
  readonly filters: BillingRecordFilter[] = [];
  constructor(readonly all: ProviderBillingRecord[] = []) {}

  bill(
    idempotencyKey: string | null,
    cost: Money,
    options: { attempt?: number; time?: Date; model?: string } = {},
  ) {
    const index = this.all.length;
    const record: ProviderBillingRecord = {
      id: `bill_${index}`,
      requestId: `req_${index}`,
      idempotencyKey,
      attempt: options.attempt ?? 1,
      model: options.model ?? 'ref-chat',
      status: 'ok',
      time: options.time ?? new Date(0),
      usage: makeUsage({ inputTokens: 10 + index, outputTokens: 3, requests: 1 }, 'recovered'),
      cost,
    };
    this.all.push(record);
    return record;
  }

  async records(filter: BillingRecordFilter): Promise<ProviderBillingRecord[]> {
    this.filters.push(filter);
    return this.all.filter(
      (record) =>
        (filter.since === undefined || record.time >= filter.since) &&
        (filter.until === undefined || record.time < filter.until) &&
        (filter.model === undefined || record.model === filter.model),
    );
  }
}
