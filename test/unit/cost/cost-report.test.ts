import { describe, expect, it } from 'vitest';
import {
  buildCostReport,
  formatCostReportCsv,
  formatCostReportTable,
  parseReportDimensions,
} from '../../../src/cost/cost-report.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { AiaasError } from '../../../src/errors/index.js';

async function sampleLedger() {
  const ledger = new Ledger();
  const add = (
    model: string,
    day: string,
    cost: Money | null,
    extra: { tags?: Record<string, string>; apiKeyId?: string; provider?: string } = {},
  ) =>
    ledger.append({
      model,
      provider: extra.provider ?? 'openai',
      status: 'ok',
      usage: makeUsage({
        inputTokens: 100,
        cacheReadTokens: 20,
        outputTokens: 10,
        reasoningTokens: 5,
        requests: 1,
      }),
      cost,
      time: new Date(`${day}T12:00:00Z`),
      ...(extra.tags ? { tags: extra.tags } : {}),
      ...(extra.apiKeyId ? { apiKeyId: extra.apiKeyId } : {}),
    });
  await add('gpt-4o', '2025-03-01', Money.of('0.10', 'USD'), {
    tags: { team: 'search, "core"' },
    apiKeyId: 'key_a',
  });
  await add('gpt-4o', '2025-03-01', Money.of('0.000000000001', 'USD'), { tags: { team: 'search, "core"' } });
  await add('gpt-4o', '2025-03-02', Money.of('0.25', 'USD'), { apiKeyId: 'key_b' });
  await add('ref-embed', '2025-03-01', Money.of('2', 'EUR'), { provider: 'aiaas', tags: { team: 'ads' } });
  await add('mystery', '2025-03-02', null);
  return ledger;
}

describe('buildCostReport', () => {
  it('groups by model and day with exact totals per currency', async () => {
    const report = buildCostReport(await (await sampleLedger()).entries(), { by: ['model', 'day'] });
    expect(
      report.rows.map((row) => [
        row.group.model,
        row.group.day,
        row.currency,
        row.total?.toDecimalString() ?? null,
        row.entries,
      ]),
    ).toEqual([
      ['gpt-4o', '2025-03-01', 'USD', '0.100000000001', 2],
      ['gpt-4o', '2025-03-02', 'USD', '0.25', 1],
      ['mystery', '2025-03-02', null, null, 1],
      ['ref-embed', '2025-03-01', 'EUR', '2', 1],
    ]);
    expect(report.totals.USD?.toDecimalString()).toBe('0.350000000001');
    expect(report.totals.EUR?.toDecimalString()).toBe('2');
    expect(report.entries).toBe(5);
    expect(report.unpricedEntries).toBe(1);
    expect(report.rows[0]?.usage.inputTokens.value).toBe(200);
  });

  it('groups by tag, key and provider, with null where an entry has no value', async () => {
    const entries = await (await sampleLedger()).entries();
    const byTag = buildCostReport(entries, { by: ['tag:team'] });
    expect(byTag.rows.map((row) => [row.group['tag:team'], row.currency])).toEqual([
      ['ads', 'EUR'],
      ['search, "core"', 'USD'],
      [null, 'USD'],
      [null, null],
    ]);
    const byKey = buildCostReport(entries, { by: ['key', 'provider'] });
    expect(
      byKey.rows.map((row) => [row.group.key, row.group.provider, row.total?.toDecimalString() ?? null]),
    ).toEqual([
      ['key_a', 'openai', '0.1'],
      ['key_b', 'openai', '0.25'],
      [null, 'aiaas', '2'],
      [null, 'openai', '0.000000000001'],
      [null, 'openai', null],
    ]);
  });

  it('parses the CLI --by list', () => {
    expect(parseReportDimensions('model, day,tag:team')).toEqual(['model', 'day', 'tag:team']);
    expect(() => parseReportDimensions('model,colour')).toThrow(AiaasError);
  });
});

describe('report formats', () => {
  it('renders an aligned text table with a total line per currency', async () => {
    const report = buildCostReport(await (await sampleLedger()).entries(), { by: ['model'] });
    const table = formatCostReportTable(report);
    expect(table).toBe(
      [
        'model      entries  input tokens  output tokens  currency           total',
        '---------  -------  ------------  -------------  --------  --------------',
        'gpt-4o           3           360             45  USD       0.350000000001',
        'mystery          1           120             15  -               unpriced',
        'ref-embed        1           120             15  EUR                    2',
        '---------  -------  ------------  -------------  --------  --------------',
        'TOTAL            3           360             45  USD       0.350000000001',
        'TOTAL            1           120             15  EUR                    2',
      ].join('\n'),
    );
    const rounded = formatCostReportTable(report, { digits: 2 });
    expect(rounded).toMatch(/gpt-4o .* USD +0\.35\n/);
    expect(rounded).not.toContain('0.350000000001');
  });

  it('writes RFC 4180 CSV: CRLF, quoted fields with commas and doubled quotes, exact amounts', async () => {
    const report = buildCostReport(await (await sampleLedger()).entries(), { by: ['tag:team'] });
    const csv = formatCostReportCsv(report);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'tag:team,currency,entries,inputTokens,cacheReadTokens,cacheWriteTokens,outputTokens,reasoningTokens,computeMs,bytesIn,bytesOut,tensorElements,requests,deployedSeconds,trainedExamples,total',
    );
    expect(lines[1]).toBe('ads,EUR,1,100,20,0,10,5,0,0,0,0,1,0,0,2');
    expect(lines[2]).toBe('"search, ""core""",USD,2,200,40,0,20,10,0,0,0,0,2,0,0,0.100000000001');
    expect(lines[4]).toBe(',,1,100,20,0,10,5,0,0,0,0,1,0,0,');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines).toHaveLength(6);
  });
});
