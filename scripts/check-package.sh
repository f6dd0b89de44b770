#!/usr/bin/env bash
# Checks the package as users get it: builds, packs the tarball npm would publish, installs it
# into a fresh project, then uses it there — an .mjs file makes a real call against aiaas/server
# started from the tarball, and a .ts file is typechecked with NodeNext resolution. Finally
# publint and attw (ESM-only profile) check the manifest and the type resolution.
# Usage: scripts/check-package.sh [--no-build]   (--no-build reuses dist/, e.g. right after a build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

# The versions the repository itself was tested with, so the fresh project hits npm's cache.
installed_version() { node -p "require('$root/node_modules/$1/package.json').version"; }

if [[ "${1:-}" != "--no-build" ]]; then
  step 'build'
  npm run build --silent
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/aiaas-package-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

step 'pack'
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "$tarball ($(du -h "$tarball" | cut -f1))"

step 'install the tarball into a fresh project'
project="$work/app"
mkdir -p "$project"
# onnxruntime-node's install script downloads CUDA files from outside the registry: skip it
# (its CPU binaries ship in the npm tarball), and deny it under npm 11's allowScripts policy.
printf 'onnxruntime-node-install=skip\n' >"$project/.npmrc"
cat >"$project/package.json" <<'JSON'
{
  "name": "aiaas-package-check",
  "private": true,
  "type": "module",
  "allowScripts": { "onnxruntime-node": false }
}
JSON
(
  cd "$project"
  # vitest is deliberately absent: aiaas/testing must load without it.
  npm install --no-audit --no-fund --prefer-offline --loglevel=error \
    "$tarball" \
    "onnxruntime-node@$(installed_version onnxruntime-node)" \
    "@opentelemetry/api@$(installed_version @opentelemetry/api)" \
    "typescript@$(installed_version typescript)" \
    "@types/node@$(installed_version @types/node)"
)

step 'run a real call from an .mjs file'
cat >"$project/smoke.mjs" <<'JS'
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { AiaasClient, chat } from 'aiaas';
import { silentServerLogger, startReferenceServer } from 'aiaas/server';
import { createTelemetryMiddleware } from 'aiaas/telemetry';
import { fault, faultHeader } from 'aiaas/testing';

const manifest = createRequire(import.meta.url)('aiaas/package.json');
assert.equal(faultHeader(fault.status(429, { retryAfterMs: 50, times: 2 })), 'status=429;retry_after_ms=50;times=2');
const server = await startReferenceServer({ port: 0, seed: 42, apiKeys: ['sk-pack'], logger: silentServerLogger });
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
} finally {
  await client.close();
  await server.close();
}
JS
(cd "$project" && node smoke.mjs)

step 'typecheck a .ts file (NodeNext)'
cat >"$project/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "types": ["node"],
    "noEmit": true
  },
  "files": ["usage.ts"]
}
JSON
cat >"$project/usage.ts" <<'TS'
import { AiaasClient, type ChatCompletion, chat, Ledger, Money, NotFoundError } from 'aiaas';
import { type ReferenceServer, startReferenceServer } from 'aiaas/server';
import { createTelemetryMiddleware, type TelemetryMiddleware } from 'aiaas/telemetry';
import { expectBilled, fault, faultHeaders, type ReferenceServerFixture } from 'aiaas/testing';

export async function run(): Promise<string> {
  const server: ReferenceServer = await startReferenceServer({ port: 0, apiKeys: ['sk-typed'] });
  const telemetry: TelemetryMiddleware = createTelemetryMiddleware();
  const client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-typed', ledger: new Ledger(), middleware: [telemetry] });
  // @ts-expect-error: a provider aiaas does not speak is a type error, so the types are not `any`.
  new AiaasClient({ provider: 'anthropic' });
  const completion: ChatCompletion = await client.chat.completions.create(chat('ref-chat').user('hi').maxTokens(4), {
    headers: faultHeaders(fault.delay(1)),
  });
  const cost: Money = Money.of('0.10', 'USD');
  const fixture: Pick<ReferenceServerFixture, 'url' | 'apiKey'> = { url: server.url, apiKey: 'sk-typed' };
  await expectBilled(client.ledger, fixture, { cost: false }).catch((error: unknown) => error instanceof NotFoundError);
  await server.close();
  return `${completion.choices[0]?.message.content} ${cost.toDecimalString()}`;
}
TS
(cd "$project" && ./node_modules/.bin/tsc -p .)
echo 'typechecked'

step 'run a vitest file that uses aiaas/testing from the tarball'
# Only now is vitest added: useReferenceServer must find the app's own vitest (an optional peer).
(cd "$project" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "vitest@$(installed_version vitest)")
cat >"$project/app.test.mjs" <<'JS'
import { chat } from 'aiaas';
import { useReferenceServer } from 'aiaas/testing';
import { expect, it } from 'vitest';

const reference = useReferenceServer({ seed: 1 });
it('answers through the harness of the packed aiaas', async () => {
  const completion = await reference.client().chat.completions.create(chat('ref-chat').user('hi').maxTokens(3));
  expect(completion.usage?.completion_tokens).toBe(3);
});
JS
(cd "$project" && ./node_modules/.bin/vitest run --reporter=dot)

step 'publint and attw'
npx --no-install publint --strict
npx --no-install attw "$tarball" --profile esm-only

step "package check passed"
