# Sourced by the benches with $1 a name: a private folder $work (under /tmp, readable by the
# PostgreSQL it will hold), and on exit the server ($server_pid, when set) and that PostgreSQL
# stopped and the folder removed.
work=$(mktemp -d "/tmp/tdkt-$1-XXXXXX")
chmod 755 "$work"
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  scripts/pg.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

# wrk's duration text (812.00us, 3.45ms, 1.02s) in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }

# From wrk's --latency output $1 and the server's access log $work/server.log from line $2: rps,
# p50 and p99 (wrk's), sp50 and sp99 (the server's own), timeouts and non2xx
wrk_figures() {
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$1")
  p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$1")")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$1")")
  read -r sp50 sp99 < <(tail -n +"$2" "$work/server.log" | grep -ao '"ms":[0-9.]*' | cut -d: -f2 | sort -g |
    awk '{a[NR] = $1} END {printf "%.2f %.2f\n", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}')
  timeouts=$(sed -nE 's/.*timeout ([0-9]+).*/\1/p' <<<"$1"); timeouts=${timeouts:-0}
  non2xx=$(sed -nE 's/.*Non-2xx or 3xx responses: ([0-9]+).*/\1/p' <<<"$1"); non2xx=${non2xx:-0}
}
