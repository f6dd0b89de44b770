// A real call and a real stream through the packed package, with telemetry and aiaas/testing loaded.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as aiaas from 'aiaas';
import { AiaasClient, chat } from 'aiaas';
import { silentServerLogger, startReferenceServer } from 'aiaas/server';
import { createTelemetryMiddleware } from 'aiaas/telemetry';
import { fault, faultHeader } from 'aiaas/testing';

// Error names are API (`error.name`, logs): the bundler must not rename the classes.
for (const [exported, value] of Object.entries(aiaas)) {
  if (typeof value === 'function' && exported.endsWith('Error')) assert.equal(value.name, exported);
}
const manifest = createRequire(import.meta.url)('aiaas/package.json');
assert.equal(
  faultHeader(fault.status(429, { retryAfterMs: 50, times: 2 })),
  'status=429;retry_after_ms=50;times=2',
);
const server = await startReferenceServer({
  port: 0,
  seed: 42,
  apiKeys: ['sk-pack'],
  logger: silentServerLogger,
});
const client = new AiaasClient({
  baseURL: server.url,
  apiKey: 'sk-pack',
  middleware: [createTelemetryMiddleware()],
});
try {
  const { data, response } = await client.chat.completions
    .create(chat('ref-chat').user('How are jobs?').maxTokens(8))
    .withResponse();
  const text = data.choices[0]?.message.content ?? '';
  assert.ok(text.trim().length > 0, 'ref-chat answered nothing');
  assert.equal(data.usage?.completion_tokens, 8);
  const stream = await client.chat.completions.stream(chat('ref-chat').user('And health care?').maxTokens(6));
  const final = await stream.final();
  assert.equal(final.usage.tokens.completion_tokens, 6);
  console.log(
    `aiaas ${manifest.version}: ref-chat said ${JSON.stringify(text)} ` +
      `(${data.usage?.prompt_tokens}+${data.usage?.completion_tokens} tokens, request ${response.requestId}); ` +
      `streamed ${JSON.stringify(final.choices[0]?.message.content)}`,
  );
  // A user's model of megabytes, deployed and served from the package's own worker scripts (the
  // load body is decoded in a thread, the model runs in the deployed models' own thread).
  const oip = new AiaasClient({ baseURL: server.url, apiKey: 'sk-pack', provider: 'oip' });
  const embedFile = join(
    dirname(createRequire(import.meta.url).resolve('aiaas/package.json')),
    'models/ref-embed/1/model.onnx',
  );
  await oip.inference.repository.load('my-embedder', { files: { 1: embedFile } });
  const ids = { name: 'input_ids', datatype: 'INT64', shape: [1, 3], data: [5, 17, 42] };
  const mask = { name: 'attention_mask', datatype: 'INT64', shape: [1, 3], data: [1, 1, 1] };
  const deployed = await oip.inference.infer('my-embedder', [ids, mask]);
  const builtIn = await oip.inference.infer('ref-embed', [ids, mask]);
  assert.deepEqual(deployed.outputs[0]?.data, builtIn.outputs[0]?.data);
  await oip.inference.repository.unload('my-embedder');
  await oip.close();
} finally {
  await client.close();
  await server.close();
}
