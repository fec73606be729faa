#!/usr/bin/env bash
# Runs the black-box API suite against the given binary (pytest makes its own PostgreSQL and server).
set -euo pipefail
cd "$(dirname "$0")/.."
export TDKT_BIN=$(realpath "$1")
if [[ $# -gt 1 ]]; then targets=("${@:2}"); else targets=(tests/api); fi
/usr/bin/python3 -m pytest -q -p no:cacheprovider "${targets[@]}"
