#!/usr/bin/env bash
# Checks the package as users get it: packs the tarball npm would publish, installs it into a
# fresh project, and uses every part of it there (files in scripts/package-check/):
#   1. with no optional peer installed: typecheck a .ts file (NodeNext, skipLibCheck: false), and
#      the SQLite and PostgreSQL stores and the server name the package they need;
#   2. with the optional peers: a real call and stream against aiaas/server, two processes sharing
#      one SQLite budget and ledger, the CLI (--version, serve, chat, cost report on SQLite);
#   3. a vitest file using aiaas/testing; publint and attw.
# Usage: scripts/check-package.sh [--no-build]   (--no-build reuses dist/, e.g. right after a build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

# The versions the repository itself was tested with, so the fresh project hits npm's cache.
installed_version() { node -p "require('$root/node_modules/$1/package.json').version"; }
app_install() { (cd "$project" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@"); }

if [[ "${1:-}" != "--no-build" ]]; then
  step 'build'
  npm run build --silent
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/aiaas-package-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

step 'pack'
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "$tarball ($(du -h "$tarball" | cut -f1))"

step 'install the tarball alone into a fresh project'
project="$work/app"
mkdir -p "$project"
cp scripts/package-check/* "$project/"
# What the README asks of a consumer: under npm 11, deny onnxruntime-node's install script (it
# downloads CUDA files from outside the registry; the CPU binaries ship in its npm tarball).
cat >"$project/package.json" <<'JSON'
{
  "name": "aiaas-package-check",
  "private": true,
  "type": "module",
  "allowScripts": { "onnxruntime-node": false, "better-sqlite3": true }
}
JSON
app_install "$tarball" "typescript@$(installed_version typescript)" "@types/node@$(installed_version @types/node)"

step 'typecheck a .ts file (NodeNext, skipLibCheck: false) without optional peers'
(cd "$project" && ./node_modules/.bin/tsc -p .)
echo 'typechecked'

step 'without optional peers, a clear error'
(cd "$project" && node optional-peers-missing.mjs)

step 'add the optional peers'
# better-sqlite3 builds its addon from source here (its prebuilt download is out of reach), which
# takes a minute; the repository's own build of the same version for this Node is copied instead.
app_install --ignore-scripts \
  "better-sqlite3@$(installed_version better-sqlite3)" \
  "onnxruntime-node@$(installed_version onnxruntime-node)" \
  "@opentelemetry/api@$(installed_version @opentelemetry/api)"
mkdir -p "$project/node_modules/better-sqlite3/build/Release"
cp node_modules/better-sqlite3/build/Release/better_sqlite3.node "$project/node_modules/better-sqlite3/build/Release/"

step 'every exported class keeps its name in the build'
(cd "$project" && node export-names.mjs)

step 'a real call and stream from an .mjs file'
(cd "$project" && node smoke.mjs)

step 'two processes share one SQLite budget and ledger'
(cd "$project" && node sqlite-stores.mjs)

step 'the CLI'
(cd "$project" && node cli-check.mjs)

step 'a vitest file that uses aiaas/testing'
# Only now is vitest added: useReferenceServer must find the app's own vitest (an optional peer).
app_install "vitest@$(installed_version vitest)"
(cd "$project" && ./node_modules/.bin/vitest run --reporter=dot app.test.mjs)

step 'publint and attw'
npx --no-install publint --strict
npx --no-install attw "$tarball" --profile esm-only

step "package check passed"
