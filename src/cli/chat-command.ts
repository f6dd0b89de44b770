import { parseArgs } from 'node:util';
import type { AiaasClient } from '../client/aiaas-client.js';
import type { Money } from '../cost/money.js';
import { totalInputTokens, totalOutputTokens, type Usage, usageProvenance } from '../cost/usage.js';
import type { ChatCompletionRequest as ChatRequest } from '../wire/openai/chat-schemas.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { connectionOptions, connectionRows, integerFlag, parseCommandLine } from './parse-command-line.js';
import { startProgressLine } from './progress-line.js';
import { publishesPricing } from './server-pricing-probe.js';
import { unservedModelMessage } from './unserved-model.js';

export const chatUsage = `Usage: aiaas chat "<prompt>" [options]

Send one chat message and print the answer, then the tokens used and what they cost.

Options:
${helpRows([
  ['--model <id>', 'model to ask (default ref-chat)'],
  ['--stream', 'print the answer as it arrives (default when stdout is a terminal)'],
  ['--max-tokens <n>', 'cap on the tokens of the answer'],
  ['--seed <n>', 'sampling seed, for a reproducible answer'],
  ['--system <text>', 'a system message sent before the prompt'],
  ...connectionRows,
])}`;

const chatOptions = {
  ...connectionOptions,
  model: { type: 'string', default: 'ref-chat' },
  stream: { type: 'boolean' },
  'max-tokens': { type: 'string' },
  seed: { type: 'string' },
  system: { type: 'string' },
} as const;

interface ChatOutcome {
  usage: Usage | null;
  cost: Money | null;
}

/** Prints the answer as it arrives; stdout without raw writes (captured output) gets it as one line. */
async function streamAnswer(client: AiaasClient, request: ChatRequest, io: CliIo): Promise<ChatOutcome> {
  const progress = startProgressLine(
    io.interactive ? io.writeStderr : undefined,
    `waiting for ${request.model}`,
  );
  try {
    const stream = await client.chat.completions.stream(request);
    const pieces: string[] = [];
    for await (const text of stream.text()) {
      progress.clear();
      if (io.writeStdout === undefined) pieces.push(text);
      else io.writeStdout(text);
    }
    const final = await stream.final();
    if (io.writeStdout === undefined) io.stdout(pieces.join(''));
    else io.writeStdout('\n');
    return { usage: final.usageBuckets, cost: final.cost };
  } finally {
    progress.clear();
  }
}

async function wholeAnswer(client: AiaasClient, request: ChatRequest, io: CliIo): Promise<ChatOutcome> {
  const progress = startProgressLine(
    io.interactive ? io.writeStderr : undefined,
    `waiting for ${request.model}`,
  );
  try {
    const { data, usage, cost } = await client.chat.completions.create(request).withResponse();
    progress.clear();
    io.stdout(data.choices[0]?.message.content ?? '');
    return { usage, cost };
  } finally {
    progress.clear();
  }
}

function printAccount(io: CliIo, { usage, cost }: ChatOutcome): void {
  if (usage !== null) {
    io.stdout(
      `tokens: ${totalInputTokens(usage)} in, ${totalOutputTokens(usage)} out (${usageProvenance(usage)})`,
    );
  }
  io.stdout(cost === null ? 'cost: unpriced' : `cost: ${cost.toDecimalString()} ${cost.currency}`);
}

/**
 * `aiaas chat "<prompt>"`: asks a model once, prints the answer (streamed as it arrives with
 * `--stream`, or by default on a terminal), then `tokens: <in> in, <out> out (<provenance>)`
 * and `cost: <amount> <currency>`, priced by the server's `/v1/pricing` (`cost: unpriced` when
 * the server publishes none). Exit 0 on success, 1 when the call fails, 2 on a bad command line.
 *
 * @example
 * process.exitCode = await chatCommand(['hello', '--seed', '7', '--base-url', 'http://127.0.0.1:8000'], processIo);
 */
export async function chatCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args: [...args], options: chatOptions, strict: true, allowPositionals: true }),
  );
  if (values.help === true) {
    io.stdout(chatUsage);
    return 0;
  }
  // Several words without quotes are one prompt, as a user typing at a shell means them.
  const prompt = positionals.join(' ');
  if (prompt.trim() === '') throw new CliUsageError('a prompt is required, e.g. aiaas chat "Hello".');
  const maxTokens = integerFlag('max-tokens', values['max-tokens'], 1);
  const seed = integerFlag('seed', values.seed, 0);
  const request: ChatRequest = {
    model: values.model,
    messages: [
      ...(values.system === undefined ? [] : [{ role: 'system' as const, content: values.system }]),
      { role: 'user', content: prompt },
    ],
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...(seed === undefined ? {} : { seed }),
  };
  let client = connectClient(values);
  try {
    const apiKey = values['api-key'] ?? process.env.AIAAS_API_KEY;
    if (await publishesPricing(client, apiKey === '' ? undefined : apiKey)) {
      await client.close();
      client = connectClient(values, { pricing: 'server', logLevel: 'off' });
    }
    const streamed = values.stream ?? io.interactive === true;
    const outcome = streamed
      ? await streamAnswer(client, request, io)
      : await wholeAnswer(client, request, io);
    printAccount(io, outcome);
    return 0;
  } catch (error) {
    const unserved = await unservedModelMessage(client, request.model, error);
    io.stderr(`aiaas chat: ${unserved ?? (error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    await client.close();
  }
}
