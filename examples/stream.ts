// Streams a chat reply from the reference server, then prints its usage and exact cost.
import { AiaasClient, chat } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey, pricing: 'server' });
try {
  const request = chat('ref-chat')
    .system('You speak like a State of the Union address.')
    .user('What should we do about the economy?')
    .temperature(0.8)
    .topP(0.95)
    .seed(7)
    .maxTokens(60)
    .stop('\nUser:');
  console.log(`server: ${target.baseURL}${target.embedded ? ' (embedded)' : ''}\n`);
  const stream = await client.chat.completions.stream(request);
  for await (const text of stream.text()) process.stdout.write(text);
  const final = await stream.final();
  const { prompt_tokens, completion_tokens } = final.usage.tokens;
  console.log(`\n\nfinish: ${final.choices[0]?.finishReason}`);
  console.log(
    `usage: ${prompt_tokens} prompt + ${completion_tokens} completion tokens (${final.usage.provenance})`,
  );
  console.log(`cost: ${final.cost ? `${final.cost.toDecimalString()} ${final.cost.currency}` : 'unpriced'}`);
} finally {
  await client.close();
  await target.close();
}
