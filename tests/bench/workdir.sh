# Sourced by the benches with $1 a name: a private folder $work (under /tmp, readable by the
# PostgreSQL it will hold), and on exit the server ($server_pid, when set) and every process in
# $pids stopped, then that PostgreSQL, and the folder removed.
work=$(mktemp -d "/tmp/tdkt-$1-XXXXXX")
chmod 755 "$work"
server_pid=
pids=()
cleanup() {
  for p in $server_pid "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  scripts/pg.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# CPU time in clock ticks (user + system, all threads) of the processes $@ and of their children so
# far, those that have exited too (PostgreSQL's backends of a pgbench run); a tick is $tick_us µs.
# Fields after the command: 2 the parent, 12 and 13 user and system time, 14 and 15 those of the
# children waited for.
tick_us=$((1000000 / $(getconf CLK_TCK)))
ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pids=" $* " '{pid = $1; sub(/^[0-9]+ \(.*\) /, "")}
    index(pids, " " pid " ") {t += $12 + $13 + $14 + $15} index(pids, " " $2 " ") {t += $12 + $13} END {print t + 0}'
}
# the server's ($server_pid) and PostgreSQL's (every process of it), in ticks so far
cpu_ticks() { echo "$(ticks "$server_pid") $(ticks "$(head -n 1 "$work/pg/data/postmaster.pid")")"; }
# in $(...): runs a command that exits (pgbench), its output as is, then one more line: the ticks it took
with_ticks() {
  "$@"
  awk '{sub(/.*\) /, ""); print $14 + $15}' "/proc/$BASHPID/stat" # its children's, waited for: the command
}

# wrk's duration text (812.00us, 3.45ms, 1.02s) in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }

# From wrk's --latency output $1 and the server's access log ($3, $work/server.log by default) from
# line $2: rps, p50 and p99 (wrk's), sp50 and sp99 (the server's own), timeouts and non2xx
wrk_figures() {
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$1")
  p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$1")")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$1")")
  read -r sp50 sp99 < <(tail -n +"$2" "${3:-$work/server.log}" | grep -ao '"ms":[0-9.]*' | cut -d: -f2 | sort -g |
    awk '{a[NR] = $1} END {printf "%.2f %.2f\n", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}')
  timeouts=$(sed -nE 's/.*timeout ([0-9]+).*/\1/p' <<<"$1"); timeouts=${timeouts:-0}
  non2xx=$(sed -nE 's/.*Non-2xx or 3xx responses: ([0-9]+).*/\1/p' <<<"$1"); non2xx=${non2xx:-0}
}

# Starts `tdkt serve` ($bin) as the role serve logs in as ($service_url) on a free port of
# 127.0.0.1, logging to $work/server.log: sets $base and $server_pid (stopped on exit); exits when
# it does not answer /healthz
start_server() {
  export TDKT_LISTEN=127.0.0.1:$(free_port)
  base="http://$TDKT_LISTEN"
  DATABASE_URL=$service_url "$bin" serve > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "$base/healthz" >/dev/null || { echo "the server did not start"; cat "$work/server.log"; exit 1; }
}
