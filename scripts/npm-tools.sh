#!/usr/bin/env bash
# Installs the contract's npm tools (tests/contract/package.json, pinned by its lock file) into
# tests/contract/node_modules: @redocly/cli and Spectral (make lint), openapi-typescript and
# TypeScript (the generated client's check), and redocly's build-docs (the /docs page).
# Node.js and npm come from Debian when the machine has none. Does nothing when the installed
# tree matches the lock file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v npm >/dev/null || "$root/scripts/deps.sh" nodejs npm
cd "$root/tests/contract"
stamp=node_modules/.tdkt-lock
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "npm-tools: installing the contract tools (tests/contract/package-lock.json)" >&2
npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
