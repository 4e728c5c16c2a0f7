#!/usr/bin/env bash
# `npm test`: what CI runs, and what a developer runs before a push.
#
# The type check, ESLint, the formatting and the unit suite run once. The integration and
# end-to-end suites run on Docker 28.5 twice, side by side: with overlay2 (what GitHub's
# ubuntu-24.04 runners have) and with the containerd image store (Docker 29, ubuntu-26.04,
# Docker Desktop); `npm test`'s pretest (scripts/prepare-test.sh) makes both ready with
# scripts/engines.sh. The test that measures one image on both stores runs once. The last
# line counts every run: `N passed, N failed`.
#
# DSC_TEST_ENGINES=default runs the integration suites once, on the engine DOCKER_HOST (or
# the default socket) names, where the 28.5 engines cannot be had.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
stamp() { echo "[test] $(( $(date +%s) - started )) s: $*"; }
export NODE_OPTIONS=--experimental-vm-modules
mkdir -p .tmp
rm -f .tmp/jest-*.json
status=0

npm run --silent typecheck || status=1
npm run --silent lint || status=1
npm run --silent format-check || status=1
stamp "type check, lint and formatting done"

# One bundle of src/ for every run below: made here, the integration runs' globalSetup finds
# it current (scripts/fresh-bundle.mjs) instead of two runs building it at once.
node scripts/fresh-bundle.mjs || status=1

npx jest --selectProjects unit --json --outputFile=.tmp/jest-unit.json || status=1
stamp "unit suite done"

if [ "${DSC_TEST_ENGINES:-28.5}" = default ]; then
  npx jest --selectProjects integration --testPathIgnorePatterns 'stores\.itg\.test\.ts$' \
    --json --outputFile=.tmp/jest-default.json || status=1
  stamp "integration suite on the default engine done"
else
  # shellcheck disable=SC1091
  source /run/dsc-engines/env
  # One run of the integration suite per engine, side by side (they share no tags, folders
  # or ports); each run's output goes to its own log, printed when it ends.
  pids=()
  for pair in $DSC_ENGINE_HOSTS; do
    name=${pair%%=*}
    (
      DOCKER_HOST=${pair#*=} DOCKER_CONFIG=$DOCKER_CONFIG_28 npx jest --selectProjects integration \
        --testPathIgnorePatterns 'stores\.itg\.test\.ts$' --json --outputFile=".tmp/jest-$name.json" \
        >".tmp/test-$name.log" 2>&1
    ) &
    pids+=("$!:$name")
  done
  for entry in "${pids[@]}"; do
    pid=${entry%%:*}
    name=${entry#*:}
    if wait "$pid"; then stamp "integration suite on $name passed"; else status=1; stamp "integration suite on $name FAILED"; fi
    grep -v '^::debug::' ".tmp/test-$name.log" | grep -E '^(PASS|FAIL)|●|Tests:' | tail -n 80
  done
  # (The path goes first: --selectProjects takes every word after it as a project's name.)
  DSC_ENGINE_HOSTS=$DSC_ENGINE_HOSTS DOCKER_CONFIG=$DOCKER_CONFIG_28 npx jest __tests__/end-to-end/stores.itg.test.ts \
    --selectProjects integration --json --outputFile=.tmp/jest-stores.json || status=1
  stamp "both stores compared"
fi

# The closing count covers every run above.
node -e '
  const fs = require("fs")
  let passed = 0, failed = 0
  for (const file of fs.readdirSync(".tmp").filter(name => /^jest-.*\.json$/.test(name))) {
    const result = JSON.parse(fs.readFileSync(".tmp/" + file, "utf8"))
    console.log(`${file.slice(5, -5)}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`)
    passed += result.numPassedTests
    failed += result.numFailedTests + result.numRuntimeErrorTestSuites
  }
  console.log(`${passed} passed, ${failed} failed`)
'
exit "$status"
