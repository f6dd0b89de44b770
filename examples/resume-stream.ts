// A stream cut after 3 events is resumed with Last-Event-ID and the same Idempotency-Key: the text is
// identical to an unbroken run, and nothing is lost or charged twice.
import { AiaasClient, chat } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey, pricing: 'server' });
const params = chat('ref-chat')
  .user('What is the state of our union?')
  .temperature(0.8)
  .seed(11)
  .maxTokens(40);

async function streamText(headers: Record<string, string>) {
  const stream = await client.chat.completions.stream(params, { headers });
  let text = '';
  for await (const delta of stream.text()) text += delta;
  const final = await stream.final();
  return { text, resumed: stream.resumed, cost: final.cost };
}

try {
  const unbroken = await streamText({});
  const broken = await streamText({ 'x-aiaas-fault': 'drop_after=3;times=1' });
  console.log(`unbroken: ${unbroken.text}`);
  console.log(`resumed ${broken.resumed} time(s): ${broken.text}`);
  console.log(`identical text: ${unbroken.text === broken.text}`);
  console.log(
    `cost each: ${unbroken.cost?.toDecimalString()} and ${broken.cost?.toDecimalString()} ${broken.cost?.currency ?? ''}`,
  );
  if (unbroken.text !== broken.text) process.exitCode = 1;
} finally {
  await client.close();
  await target.close();
}
