// Records a mixed workload in a JSONL ledger, then reports spend by model and tag, as a table and CSV,
// and reconciles the ledger with what the server billed. The ledger is a temporary file, removed at
// the end; `npx tsx examples/cost-report.ts --keep` keeps it for `aiaas cost report`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AiaasClient,
  buildCostReport,
  chat,
  formatCostReportCsv,
  formatCostReportTable,
  JsonlLedgerStore,
  Ledger,
  parseServerUsage,
  reconcile,
} from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const keep = process.argv.includes('--keep');
const target = await exampleTarget();
const directory = await mkdtemp(join(tmpdir(), 'aiaas-ledger-'));
const ledgerPath = join(directory, 'spend.jsonl');
const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath) });
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey, pricing: 'server', ledger });
try {
  for (const team of ['search', 'support']) {
    await client.chat.completions.create(
      chat('ref-chat').user(`A word for the ${team} team.`).seed(2).maxTokens(16),
      {
        tags: { team },
      },
    );
    await client.embeddings.create(
      { model: 'ref-embed', input: [`${team} query one`, `${team} query two`] },
      { tags: { team } },
    );
  }
  const entries = await ledger.entries();
  console.log(formatCostReportTable(buildCostReport(entries, { by: ['model', 'tag:team'] })));
  console.log(formatCostReportCsv(buildCostReport(entries, { by: ['model'] })));
  console.log(
    keep
      ? `ledger: ${entries.length} entries in ${ledgerPath}, kept (try: aiaas cost report ${ledgerPath} --by model,day)`
      : `ledger: ${entries.length} entries in a temporary file, removed when this example ends (run it with --keep to keep it)`,
  );
  if (target.embedded) {
    const response = await fetch(`${target.baseURL}/v1/usage`, {
      headers: { authorization: `Bearer ${target.apiKey}` },
    });
    // Compute time is metered inside the server and not sent to clients, so it is left out of the comparison.
    const result = reconcile(entries, parseServerUsage(await response.json()), {
      fields: ['inputTokens', 'outputTokens', 'bytesIn', 'bytesOut', 'tensorElements', 'requests'],
    });
    console.log(
      `reconciled with the server's billing: ${result.zeroDifference ? 'zero difference' : 'DIFFERENCES'}`,
    );
    if (!result.zeroDifference) process.exitCode = 1;
  }
} finally {
  await client.close();
  await ledger.close();
  await target.close();
  if (!keep) await rm(directory, { recursive: true, force: true });
}
