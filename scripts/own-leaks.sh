#!/usr/bin/env bash
# Runs patchrun's own test files under its own `tempdir-leaks` and `socket-lifecycle` patches, in a fresh
# TMPDIR, and fails when either reports a leak or anything is left in that TMPDIR.
#
#   bash scripts/own-leaks.sh                      # every test/*.test.cjs
#   bash scripts/own-leaks.sh test/cli.test.cjs    # some of them
#
# It is the suite's CI run itself (.ci/run calls it in place of a plain `npm test`), so what it adds to CI
# is the patches' own cost in the test processes, not a second run of the suite. The test files' processes
# are patched (the plan reaches them through the runner's environment); the fixture apps they spawn are
# not, because every test gives its children a clean environment.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d "${TMPDIR:-/tmp}/patchrun-own-leaks-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp" "$work/reports"
# mktemp makes its directory private; the tests that run a process as another user (config-safety) need
# to reach their temporary projects inside it, as they can under a plain /tmp.
chmod 755 "$work" "$work/tmp"
# Reports go to files, so the tests' own stderr stays as it is. Each is written only when something leaked
# (by the last process that leaked, if several did: the TMPDIR listing below shows them all).
cat > "$work/config.json" <<JSON
{
  "patches": [
    { "name": "tempdir-leaks", "options": { "report": "$work/reports/tempdir-leaks.json" } },
    { "name": "socket-lifecycle", "options": { "report": "$work/reports/socket-lifecycle.json" } }
  ]
}
JSON

# The same build and test files as `npm test` (package.json "test"): keep the two in step.
if [ "$#" -eq 0 ]; then set -- test/*.test.cjs; fi
npm run build --silent
status=0
TMPDIR="$work/tmp" node bin/patchrun.js --config "$work/config.json" --strict -- \
  node --test --test-concurrency=2 "$@" || status=$?

leaks=0
for report in "$work"/reports/*.json; do
  [ -e "$report" ] || continue
  leaks=1
  echo "own-leaks: $(basename "$report" .json) reported:" >&2
  cat "$report" >&2
done
# patchrun-<uid> is patchrun's own manifest cache (src/discover/manifest-cache.ts), kept on purpose between
# runs, as Node keeps its compile cache: not a leak. Anything else is.
left="$(ls -A "$work/tmp" | grep -vx "patchrun-$(id -u)" || true)"
if [ -n "$left" ]; then
  leaks=1
  echo "own-leaks: left in the fresh TMPDIR after the tests ($work/tmp):" >&2
  printf '  %s\n' $left >&2
fi
if [ "$leaks" -ne 0 ]; then
  echo "own-leaks: the test suite leaks (see above): remove what the tests create, in t.after() or a finally" >&2
  exit 1
fi
echo "own-leaks: no temp directory and no socket left behind by ${#} test file(s)"
exit "$status"
