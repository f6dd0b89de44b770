// The same client through Ollama's native API (/api/chat, /api/tags): against the Ollama at
// OLLAMA_BASE_URL when set (model OLLAMA_MODEL, default llama3.2), else against an embedded
// aiaas/server, which serves that API too (model ref-chat, billed like any call).
import { AiaasClient } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const external = process.env.OLLAMA_BASE_URL;
const target = external
  ? { baseURL: external, apiKey: null, embedded: false, close: async () => {} }
  : await exampleTarget();
const model = external ? (process.env.OLLAMA_MODEL ?? 'llama3.2') : 'ref-chat';
const client = new AiaasClient({
  provider: 'ollama',
  baseURL: target.baseURL,
  apiKey: target.apiKey,
  maxRetries: 0,
  timeout: 60_000,
  // aiaas/server publishes its prices; a local Ollama charges nothing.
  ...(target.embedded ? { pricing: 'server' as const } : {}),
});
try {
  const models = await client.models.list();
  console.log(`ollama API at ${target.baseURL} serves: ${models.data.map((entry) => entry.id).join(', ')}`);
  const stream = await client.chat.completions.stream({
    model,
    messages: [{ role: 'user', content: 'Say hello in five words.' }],
    max_tokens: 24,
  });
  for await (const text of stream.text()) process.stdout.write(text);
  const { usage, cost } = await stream.final();
  console.log(`\nusage: ${usage.tokens.prompt_tokens} in, ${usage.tokens.completion_tokens} out`);
  if (cost) console.log(`cost: ${cost.toDecimalString()} ${cost.currency}`);
} finally {
  await client.close();
  await target.close();
}
