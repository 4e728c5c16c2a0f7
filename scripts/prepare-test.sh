#!/usr/bin/env bash
# Runs before `npm test`, so that the README's test command works on a fresh clone: the
# dependencies when they are missing, a Docker engine with the tests' base images
# (scripts/docker-engine.sh changes nothing where they are ready already), and the two
# Docker 28.5 engines the test comparing the image stores needs (scripts/engines.sh, as
# idempotent), and the browser the comment's rendering test drives (scripts/browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/jest ]; then
  echo "[prepare-test] installing the dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
bash scripts/docker-engine.sh
bash scripts/engines.sh >/dev/null
bash scripts/browser.sh
