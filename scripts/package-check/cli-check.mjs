// The CLI as installed: --version, serve (until SIGTERM), chat against it, cost report on a SQLite ledger.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
const aiaas = './node_modules/.bin/aiaas';
const { version } = createRequire(import.meta.url)('aiaas/package.json');

assert.equal((await run(aiaas, ['--version'])).stdout.trim(), version);

const serve = spawn(aiaas, ['serve', '--port', '0', '--seed', '5', '--api-key', 'sk-cli'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const lines = createInterface({ input: serve.stdout });
  let url;
  for await (const line of lines) {
    url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
    if (url !== undefined) break;
  }
  assert.ok(url, 'aiaas serve printed no URL');
  const answer = await run(aiaas, [
    'chat',
    'How are jobs?',
    '--max-tokens',
    '6',
    '--base-url',
    url,
    '--api-key',
    'sk-cli',
  ]);
  assert.match(answer.stdout, /tokens: \d+ in, 6 out/);
  await assert.rejects(
    run(aiaas, ['chat', 'hi', '--model', 'nope', '--base-url', url, '--api-key', 'sk-cli']),
    (error) => {
      assert.match(error.stderr, /not found/i);
      return true;
    },
  );
} finally {
  serve.kill('SIGTERM');
  const [code] = await once(serve, 'exit');
  assert.equal(code, 0, 'aiaas serve did not exit cleanly on SIGTERM');
}

const report = JSON.parse((await run(aiaas, ['cost', 'report', 'spend.db', '--format', 'json'])).stdout);
assert.ok(report.entries > 0, 'the SQLite ledger report has no entries');
assert.match(report.totals.USD, /^0\.\d+$/);
console.log(
  `aiaas ${version} CLI: --version, serve, chat, cost report (${report.entries} entries, ${report.totals.USD} USD)`,
);
