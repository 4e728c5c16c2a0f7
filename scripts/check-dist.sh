#!/usr/bin/env bash
# Rebuilds dist/ (the action, and the command in dist/cli) from src/ and fails when the
# result differs from what is committed: what users run is dist/, so it must be the code
# that was tested.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent bundle >/dev/null
if [ -n "$(git status --porcelain --untracked-files=all -- dist)" ]; then
  echo "dist/ is stale: run 'npm run bundle' and commit the result. Differences:" >&2
  git status --porcelain -- dist >&2
  git diff --stat -- dist >&2 || true
  exit 1
fi
echo "dist/ matches src/"
