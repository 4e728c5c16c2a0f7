#!/usr/bin/env bash
# Runs before `npm test`, so that the README's test command works on a fresh clone: the
# dependencies when they are missing, and a Docker engine with the tests' base images
# (scripts/docker-engine.sh changes nothing where they are ready already).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/jest ]; then
  echo "[prepare-test] installing the dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
bash scripts/docker-engine.sh
