#!/usr/bin/env bash
# Two builds on one seeded database, each scenario measured A B A B A B back to back: the way to
# tell a few per cent on this 2-core machine, where full runs one after the other drift by more
# than that (README, "Descriptors against 33d8ac7"). wrk against 127.0.0.1 only, bounded.
#   tests/bench/compare.sh OLD_BIN NEW_BIN      (COMPARE_SECONDS=5 COMPARE_ROUNDS=3 BENCH_UNITS=100000
#                                                COMPARE_CASES="get:16 list:64 getnew:16 ...")
# A scenario ending in "new" is the same requests on a new connection each (Connection: close),
# as clients that do not keep theirs open: what a worker does between connections is in it.
# The schema is NEW_BIN's. OLD_SWITCHES_ROLE=1 for builds before the role split (33d8ac7): they log
# in as the owner and switch to tdkt_app, so the owner is made a member of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=$(realpath "$1") bin=$(realpath "$2")
seconds=${COMPARE_SECONDS:-5} rounds=${COMPARE_ROUNDS:-3} nunits=${BENCH_UNITS:-100000}
work=$(mktemp -d /tmp/tdkt-compare-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  scripts/pg.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

source tests/bench/seed.sh 2> >(grep -v '^WARNING' >&2)
if [[ "${OLD_SWITCHES_ROLE:-0}" == 1 ]]; then
  psql -X -q -h "$work/pg/run" -U postgres -d postgres -c "GRANT tdkt_app TO tdkt"
  old_url=$DATABASE_URL
else
  old_url=$service_url
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_a=$(free_port) port_b=$(free_port)
TDKT_LISTEN=127.0.0.1:$port_a DATABASE_URL=$old_url "$old" serve > "$work/a.log" 2>&1 & pids+=($!)
TDKT_LISTEN=127.0.0.1:$port_b DATABASE_URL=$service_url "$bin" serve > "$work/b.log" 2>&1 & pids+=($!)
for port in $port_a $port_b; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done

rps() { # scenario connections port
  local close=()
  [[ $1 == *new ]] && close=(-H "Connection: close")
  wrk -t2 -c"$2" -d"${seconds}s" --timeout 2s "${close[@]}" -s "$work/${1%new}.lua" "http://127.0.0.1:$3" |
    awk '/Requests\/sec/ {print $2}'
}
printf '%-10s %5s %10s %10s %8s\n' scenario conns old new change
for case in ${COMPARE_CASES:-get:16 get:64 list:16 list:64 campaigns:16 campaigns:64 awards:16 awards:64 reg:16 getnew:16 listnew:16}; do
  s=${case%%:*} c=${case##*:} a=() b=()
  for _ in $(seq "$rounds"); do
    a+=("$(rps "$s" "$c" "$port_a")")
    b+=("$(rps "$s" "$c" "$port_b")")
  done
  python3 - "$s" "$c" "${a[*]}" "${b[*]}" <<'PY'
import sys
s, c, a, b = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
ma, mb = sum(a) / len(a), sum(b) / len(b)
print(f"{s:10} {c:>5} {ma:10.0f} {mb:10.0f} {100 * (mb / ma - 1):+7.1f}%")
PY
done
