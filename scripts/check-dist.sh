#!/usr/bin/env bash
# Rebuilds dist/ from src/ and fails when the result differs from what is committed:
# the action that users run is dist/, so it must be the code that was tested.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent bundle >/dev/null
if [ -n "$(git status --porcelain -- dist)" ]; then
  echo "dist/ is stale: run 'npm run bundle' and commit the result. Differences:" >&2
  git status --porcelain -- dist >&2
  git diff --stat -- dist >&2 || true
  exit 1
fi
echo "dist/ matches src/"
