# Sourced by tests/cluster/run.sh and bench.sh: the deployment of docker/compose.yaml made of
# processes under one temporary folder $work — PostgreSQL (and a streaming replica), tdkt
# instances on free loopback ports and Debian's nginx with a copy of docker/nginx.conf. On exit
# everything started here is stopped (by its own pid) and the folder removed (CLUSTER_KEEP=1
# keeps it, with the logs).
# Needs: $bin (the tdkt binary), the working directory at the repository root.
work=$(mktemp -d /tmp/tdkt-cluster-XXXXXX)
chmod 755 "$work"      # PostgreSQL (as postgres) and nginx's workers (as www-data) when run as root
proxy_addr=127.0.0.2   # nginx reaches tdkt from here, tdkt's only trusted proxy
export TDKT_JWT_SECRET=cluster-secret-0123456789abcdef-0123456789
declare -A tdkt_pid=() tdkt_port=()
nginx_pid=
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)

cluster_cleanup() {
  # every step runs whatever the one before did (the replica may be stopped already)
  set +e
  [[ -n "$nginx_pid" ]] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  for i in "${!tdkt_pid[@]}"; do
    kill -TERM "${tdkt_pid[$i]}" 2>/dev/null && wait "${tdkt_pid[$i]}" 2>/dev/null
  done
  [[ -d "$work/replica/data" ]] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/replica/data" -m immediate -w stop >/dev/null 2>&1
  scripts/pg.sh stop "$work/pg"
  if [[ "${CLUSTER_KEEP:-0}" == 1 ]]; then echo "cluster: logs kept in $work" >&2; else rm -rf "$work"; fi
  return 0
}
trap cluster_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# waits until GET $2 answers 200 on 127.0.0.1:$1, at most $3 seconds
wait_ok() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1$2" && return 0
    sleep 0.1
  done
  return 1
}

# the primary (scripts/pg.sh: a Unix socket in $work/pg/run), migrated with the demo data
start_primary() {
  local urls
  urls=$(scripts/pg.sh start "$work/pg" fast)
  owner_url=$(sed -n 1p <<<"$urls")
  service_url=$(sed -n 2p <<<"$urls")
  DATABASE_URL=$service_url TDKT_MIGRATE_DATABASE_URL=$owner_url "$bin" demo >/dev/null
  psql_primary=(psql -X -qAt -v ON_ERROR_STOP=1 -h "$work/pg/run" -U postgres -d tdkt)
}

# a streaming replica of it: pg_basebackup -R (standby.signal, primary_conninfo to the primary's
# socket), hot standby on its own socket in $work/replica/run
start_replica() {
  mkdir -p "$work/replica/run"
  [[ ${#as_pg[@]} -gt 0 ]] && chown -R postgres: "$work/replica"
  "${as_pg[@]}" "$pg_bin/pg_basebackup" -h "$work/pg/run" -U postgres -D "$work/replica/data" -R -X stream -c fast \
    || return 1
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/replica/data" -l "$work/replica/postgresql.log" -w -t 60 \
    -o "-c listen_addresses='' -k $work/replica/run -c unix_socket_permissions=0777 -c hot_standby=on" start >/dev/null \
    || { tail -n 20 "$work/replica/postgresql.log" >&2; return 1; }
  replica_url="postgresql://tdkt_app@/tdkt?host=$work/replica/run"
  psql_replica=(psql -X -qAt -v ON_ERROR_STOP=1 -h "$work/replica/run" -U postgres -d tdkt)
}

# start_tdkt NAME [VAR=VALUE...]: a release instance on a free port (kept across restarts)
start_tdkt() {
  local name=$1; shift
  [[ -n "${tdkt_port[$name]:-}" ]] || tdkt_port[$name]=$(free_port)
  env DATABASE_URL="$service_url" TDKT_LISTEN="127.0.0.1:${tdkt_port[$name]}" TDKT_TRUSTED_PROXIES=$proxy_addr \
    TDKT_LOG_LEVEL=warn TDKT_ACCESS_LOG=off "$@" "$bin" serve >> "$work/$name.log" 2>&1 &
  tdkt_pid[$name]=$!
  wait_ok "${tdkt_port[$name]}" /readyz 15 || { echo "cluster: $name did not start"; tail -n 20 "$work/$name.log"; return 1; }
}

# SIGTERM and wait for the exit status (0: drained and stopped cleanly)
stop_tdkt() {
  local name=$1 rc=0
  kill -TERM "${tdkt_pid[$name]}"
  wait "${tdkt_pid[$name]}" || rc=$?
  unset "tdkt_pid[$name]"
  return $rc
}

# start_nginx NAME...: docker/nginx.conf with only its "# RENDER:" lines changed, in front of the
# named instances, in $work/${NGINX_DIR:-nginx}; sets nginx_pid and nginx_port.
# NGINX_UPSTREAM_KEEPALIVE=N changes the idle connections kept to the instances (8 in the file).
start_nginx() {
  local dir=$work/${NGINX_DIR:-nginx}
  nginx_port=$(free_port)
  local hard nofile=65536 servers="" n
  hard=$(ulimit -Hn)
  [[ "$hard" != unlimited && "$hard" -lt $nofile ]] && nofile=$hard
  local access="access_log /dev/stdout tdkt_json"   # NGINX_ACCESS_LOG=off: none (benches)
  [[ "${NGINX_ACCESS_LOG:-on}" == off ]] && access="access_log off"
  for n in "$@"; do servers+="        server 127.0.0.1:${tdkt_port[$n]} fail_timeout=2s;\n"; done
  mkdir -p "$dir"
  sed -E -e "/# RENDER: listen/ s/listen [^ ;]+/listen 127.0.0.1:$nginx_port/" \
         -e "/# RENDER: upstream address 2/d" \
         -e "/# RENDER: upstream address/ s/^.*$/$servers/" \
         -e "/# RENDER: proxy_bind/ s/#proxy_bind [^ ;]+/proxy_bind $proxy_addr/" \
         -e "/# RENDER: nofile/ s/worker_rlimit_nofile [0-9]+/worker_rlimit_nofile $nofile/" \
         -e "/# RENDER: access_log/ s|access_log [^;]+;|$access;|" \
         -e "s/^( *keepalive) 8;/\1 ${NGINX_UPSTREAM_KEEPALIVE:-8};/" \
         docker/nginx.conf > "$dir/nginx.conf"
  for n in "$@"; do
    grep -qF "server 127.0.0.1:${tdkt_port[$n]} " "$dir/nginx.conf" || { echo "cluster: rendering nginx.conf failed"; return 1; }
  done
  grep -qF "proxy_next_upstream error http_503;" "$dir/nginx.conf" || { echo "cluster: nginx.conf retries nothing"; return 1; }
  /usr/sbin/nginx -t -q -p "$dir/" -c "$dir/nginx.conf"
  /usr/sbin/nginx -p "$dir/" -c "$dir/nginx.conf" -g 'daemon off;' \
    > "$dir/access.log" 2> "$dir/error.log" &
  nginx_pid=$!
  wait_ok "$nginx_port" /healthz 10 || { echo "cluster: nginx did not start"; cat "$dir/error.log"; return 1; }
}
