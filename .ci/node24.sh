#!/usr/bin/env bash
# The Node 24 (current LTS) leg of CI, run by .ci/run after the full suite on the machine's Node 20:
# Node 24 from the npm registry's `node` package (no other download), better-sqlite3 rebuilt for it
# from source against the headers that package ships, then the same build's unit tests and the
# integration tests that exercise the native module, processes and the HTTP stack. At the end
# the machine's own better-sqlite3 build is put back, so the checkout works as before.
# better-sqlite3 12 aborts on Node 24 whenever the GC frees one of its native wrappers
# (runtime/sqlite-native-lifetime.ts); these tests are where that would show.
# Usage: bash .ci/node24.sh [tap test files …]   (default: the subset below)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
npm install --no-save --no-audit --no-fund --prefix "$prefix" node@24 >/dev/null
nodedir="$(dirname "$(dirname "$(find "$prefix" -path '*/node-linux-*/bin/node' -type f | head -1)")")"
[ -x "$nodedir/bin/node" ] || { echo "node@24 from the npm registry has no binary for this machine" >&2; exit 1; }

rebuild() { # $1: the directory holding bin/node and include/node
  PATH="$1/bin:$PATH" npm_config_build_from_source=true npm rebuild better-sqlite3 --nodedir="$1" >/dev/null
}
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
cp "$addon" "$prefix/own-node.node"   # the machine's Node's build, put back at the end
restore() { cp "$prefix/own-node.node" "$addon" || echo "run npm rebuild better-sqlite3 for $(node --version)" >&2; rm -rf "$prefix"; }
trap restore EXIT

start=$SECONDS
echo "Node 24 leg: $("$nodedir/bin/node" --version)"
rebuild "$nodedir"
echo "better-sqlite3 rebuilt for it in $((SECONDS - start)) s"
if [ "$#" -gt 0 ]; then tests=("$@"); else
  tests=(dist/tests/unit/*.test.js dist/tests/integration/end-to-end.test.js dist/tests/integration/collector-cli.test.js
    dist/tests/integration/data-dir-lock.test.js dist/tests/integration/backup-restore.test.js dist/tests/integration/disk-full.test.js
    dist/tests/integration/agent-package-run.test.js)
fi
status=0
PATH="$nodedir/bin:$PATH" node node_modules/.bin/tap "${tests[@]}" || status=$?
echo "Node 24 leg: $((SECONDS - start)) s"
exit "$status"
