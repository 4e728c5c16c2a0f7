#!/usr/bin/env bash
# `npm run docs:comments`: the comments the documentation quotes, from runs of their end-to-end
# tests, on the Docker 28.5 engine with overlay2 that `npm test` uses (scripts/engines.sh),
# where it runs; else on the default engine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f /run/dsc-engines/env ]; then
  # shellcheck disable=SC1091
  source /run/dsc-engines/env
  export DOCKER_HOST=unix:///run/dsc-engines/overlay2.sock DOCKER_CONFIG=$DOCKER_CONFIG_28
fi
export DSC_SAVE_COMMENTS=.tmp/comments NODE_OPTIONS=--experimental-vm-modules
npx jest __tests__/end-to-end/calculator.itg.test.ts __tests__/end-to-end/records.itg.test.ts --selectProjects integration
node scripts/docs.mjs --comments .tmp/comments
