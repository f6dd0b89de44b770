import { parseArgs } from 'node:util';
import type { AiaasClient } from '../client/aiaas-client.js';
import type { FineTuningJobEvent } from '../wire/openai/fine-tuning-schemas.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import {
  connectionOptions,
  fixedProviderConnectionRows,
  integerFlag,
  parseCommandLine,
} from './parse-command-line.js';
import { columns } from './text-columns.js';

export const jobsUsage = `Usage: aiaas jobs <list | events <job-id> | cancel <job-id>> [options]

Your fine-tuning jobs: list them (newest first), print a job's events (oldest
first), or cancel one (what already ran is billed).

Options:
${helpRows([['--limit <n>', 'list: at most this many jobs (default all)'], ...fixedProviderConnectionRows])}`;

function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1_000).toISOString().replace('.000Z', 'Z');
}

async function listJobs(client: AiaasClient, limit: number | undefined, io: CliIo): Promise<void> {
  const rows: string[][] = [['ID', 'STATUS', 'MODEL', 'FINE-TUNED MODEL', 'CREATED']];
  for await (const job of client.fineTuning.jobs.list({ limit: Math.min(limit ?? 100, 100) })) {
    rows.push([job.id, job.status, job.model, job.fine_tuned_model ?? '-', isoTime(job.created_at)]);
    if (limit !== undefined && rows.length > limit) break;
  }
  if (rows.length === 1) io.stdout('no fine-tuning jobs');
  else for (const line of columns(rows)) io.stdout(line);
}

async function printEvents(client: AiaasClient, id: string, io: CliIo): Promise<void> {
  const events: FineTuningJobEvent[] = [];
  for await (const event of client.fineTuning.jobs.listEvents(id, { limit: 100 })) events.push(event);
  // Listed newest first, as OpenAI does; read top to bottom they tell the job's story.
  for (const event of events.reverse()) {
    io.stdout(`${isoTime(event.created_at)}  ${event.level.padEnd(5)}  ${event.message}`);
  }
}

/**
 * `aiaas jobs list`, `aiaas jobs events <id>`, `aiaas jobs cancel <id>`.
 *
 * @example
 * process.exitCode = await jobsCommand(['events', 'ftjob-abc', '--base-url', url], processIo);
 */
export async function jobsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: { ...connectionOptions, limit: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(jobsUsage);
    return 0;
  }
  const [action, id, extra] = positionals;
  if (action !== 'list' && action !== 'events' && action !== 'cancel') {
    throw new CliUsageError(
      action === undefined ? 'say list, events or cancel.' : `unknown action '${action}'.`,
    );
  }
  if (action !== 'list' && id === undefined)
    throw new CliUsageError(`name the job to ${action === 'cancel' ? 'cancel' : 'show'}.`);
  const unexpected = action === 'list' ? id : extra;
  if (unexpected !== undefined) throw new CliUsageError(`unexpected argument '${unexpected}'.`);
  const limit = integerFlag('limit', values.limit, 1);
  const client = connectClient({ ...values, provider: 'openai' });
  try {
    if (action === 'list') await listJobs(client, limit, io);
    else if (action === 'events') await printEvents(client, id!, io);
    else {
      const job = await client.fineTuning.jobs.cancel(id!);
      io.stdout(`${job.id}: ${job.status}`);
    }
    return 0;
  } catch (error) {
    io.stderr(`aiaas jobs ${action}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}
