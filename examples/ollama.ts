// The same client against a local Ollama (native /api/chat). Skips with a message when none is reachable.
import { AiaasClient, ConnectionError } from 'aiaas';

const baseURL = process.env.OLLAMA_BASE_URL ?? 'http://127.0.0.1:11434';
const model = process.env.OLLAMA_MODEL ?? 'llama3.2';
const client = new AiaasClient({ provider: 'ollama', baseURL, maxRetries: 0, timeout: 60_000 });
try {
  const models = await client.models.list();
  console.log(`ollama at ${baseURL} serves: ${models.data.map((entry) => entry.id).join(', ') || '(none)'}`);
  const stream = await client.chat.completions.stream({
    model,
    messages: [{ role: 'user', content: 'Say hello in five words.' }],
  });
  for await (const text of stream.text()) process.stdout.write(text);
  const { usage } = await stream.final();
  console.log(`\nusage: ${usage.tokens.prompt_tokens} in, ${usage.tokens.completion_tokens} out`);
} catch (error) {
  if (!(error instanceof ConnectionError)) throw error;
  console.log(`skipped: no Ollama reachable at ${baseURL} (${error.message})`);
} finally {
  await client.close();
}
