import { parseArgs } from 'node:util';
import type { AiaasClient } from '../client/aiaas-client.js';
import type { ServerPricing } from '../wire/aiaas/server-pricing-schemas.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { modelPriceText } from './model-price-text.js';
import { connectionOptions, connectionRows, parseCommandLine } from './parse-command-line.js';
import { fetchServerPricing, serverRatesOf } from './server-pricing-probe.js';
import { columns } from './text-columns.js';

export const modelsUsage = `Usage: aiaas models [options]

List the models a server serves: each one's state (READY, LOADING, UNAVAILABLE
with --provider oip, which reads the repository index) and its price (from the
server's /v1/pricing, "-" when it publishes none).

Options:
${helpRows([['--json', "print the provider's list as JSON"], ...connectionRows])}`;

/**
 * `aiaas models`: one model per line with its state and price (or the provider's list as JSON).
 *
 * @example
 * process.exitCode = await modelsCommand(['--base-url', 'http://127.0.0.1:8000'], processIo);
 */
export async function modelsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: { ...connectionOptions, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(modelsUsage);
    return 0;
  }
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument '${positionals[0]}'.`);
  const client = connectClient(values);
  try {
    const list = await client.models.list();
    if (values.json === true) {
      io.stdout(JSON.stringify(list, null, 2));
      return 0;
    }
    const apiKey = values['api-key'] ?? process.env.AIAAS_API_KEY;
    const pricing = await fetchServerPricing(client, apiKey === '' ? undefined : apiKey);
    const states = await modelStates(client);
    const rows = list.data.map((model) => [
      model.id,
      states.get(model.id) ?? 'READY',
      priceOf(model.id, pricing),
    ]);
    for (const line of columns(rows)) io.stdout(line);
    return 0;
  } catch (error) {
    io.stderr(`aiaas models: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}

/** Each model's state from the repository index (the state of its highest version); empty without one. */
async function modelStates(client: AiaasClient): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (client.providerName !== 'oip') return states;
  for (const entry of await client.inference.repository.index()) {
    if (entry.state !== undefined)
      states.set(entry.name, entry.reason ? `${entry.state} (${entry.reason})` : entry.state);
  }
  return states;
}

function priceOf(model: string, pricing: ServerPricing | undefined): string {
  if (pricing === undefined) return '-';
  const rates = serverRatesOf(model, pricing);
  return rates === undefined ? 'unpriced' : modelPriceText(rates, pricing.currency);
}
