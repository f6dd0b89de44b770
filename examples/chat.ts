// One chat completion, built with the fluent builder; `withResponse()` adds the request id, usage and cost.
import { AiaasClient, chat } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey, pricing: 'server' });
try {
  const { data, response, cost } = await client.chat.completions
    .create(chat('ref-chat').user('Tell me about our schools.').seed(1).temperature(0.7).maxTokens(40))
    .withResponse();
  console.log(data.choices[0]?.message.content?.trim());
  console.log(`request id: ${response.requestId}`);
  console.log(`usage: ${data.usage?.prompt_tokens} in, ${data.usage?.completion_tokens} out`);
  console.log(`cost: ${cost ? `${cost.toDecimalString()} ${cost.currency}` : 'unpriced'}`);
} finally {
  await client.close();
  await target.close();
}
