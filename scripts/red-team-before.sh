#!/usr/bin/env bash
# The red team's findings (issue 22) failing before their fixes: bundles src/ as it was at an
# older commit (default: 5675bc4, the last before the fixes) into .tmp/before-REV/bundle and
# runs the findings' end-to-end tests against that bundle instead of today's. Each test should
# fail there; `npm test` shows them passing on today's src/. Needs the engines of
# `npm test` (scripts/prepare-test.sh) and runs on the Docker 28.5 overlay2 engine.
#
#   bash scripts/red-team-before.sh [REV] [TEST_FILE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-5675bc4}
shift || true
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(
    __tests__/end-to-end/records.itg.test.ts        # 1-3: forced records, secrets, --mount=from
    __tests__/end-to-end/fork-trusted.itg.test.ts   # 4: a fork's artifact with rewritten sizes
    __tests__/end-to-end/run-leases.itg.test.ts     # 5: two runs, one hostname, two PID namespaces
    __tests__/end-to-end/terminal-escapes.itg.test.ts # 6: escape sequences from the repository
    __tests__/end-to-end/paths-memory.itg.test.ts   # 7: 150,000 files under a 128 MB heap
  )
fi
commit=$(git rev-parse --verify "$rev^{commit}")
before="$PWD/.tmp/before-${commit:0:12}"
if [ ! -f "$before/bundle/index.js" ]; then
  rm -rf "$before" && mkdir -p "$before"
  git archive "$commit" src tsconfig.json package.json | tar -x -C "$before"
  # Hard links, not a symbolic link: ncc resolves a linked node_modules to other paths.
  cp -al node_modules "$before/node_modules"
  (cd "$before" && node_modules/.bin/ncc build src/index.ts -o bundle >/dev/null &&
    node_modules/.bin/ncc build src/cli/index.ts -o bundle/cli >/dev/null)
  echo "[red-team-before] src/ at ${commit:0:12} bundled into ${before#$PWD/}/bundle" >&2
fi
source /run/dsc-engines/env
export DOCKER_HOST=unix:///run/dsc-engines/overlay2.sock DOCKER_CONFIG="$DOCKER_CONFIG_28"
export DSC_TEST_BUNDLE="$before/bundle" NODE_OPTIONS=--experimental-vm-modules
# jest exits 1 when tests fail, which is what this run is for: its summary is the result.
npx jest "${files[@]}" --selectProjects integration || true
