#!/usr/bin/env bash
# Runs the test suite (already built by `npm test`) on each Node major of the support matrix, with Node
# binaries fetched from the npm registry by scripts/fetch-node.sh. Majors: $PATCHRUN_TEST_NODES or 22 24 26.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d dist ] || npm run build
status=0
for major in ${PATCHRUN_TEST_NODES:-22 24 26}; do
  node_bin="$(scripts/fetch-node.sh "$major")"
  echo "== tests on Node $("$node_bin" --version)"
  "$node_bin" --test --test-concurrency=2 test/*.test.cjs || status=1
done
exit "$status"
