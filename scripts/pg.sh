#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder, listening only on a Unix socket inside it.
#   scripts/pg.sh start DIR [fast]   initdb on first use, start, create role and database tdkt;
#                                    prints the DATABASE_URL. "fast" turns off fsync (tests only).
#   scripts/pg.sh stop DIR
# PostgreSQL refuses to run as root, so as root the cluster runs as the "postgres" user.
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2") mode=${3:-}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/initdb" ]] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner=()
if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u postgres --); fi

case "$cmd" in
start)
  mkdir -p "$dir/run"
  if [[ ${#as_owner[@]} -gt 0 ]]; then chown -R postgres: "$dir"; chmod 755 "$dir"; fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  opts="-c listen_addresses='' -k $dir/run -c unix_socket_permissions=0777"
  [[ "$mode" == fast ]] && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgresql.log" -o "$opts" -w -t 60 start >/dev/null \
      || { tail -n 20 "$dir/postgresql.log" >&2; exit 1; }
  fi
  psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -U postgres -d postgres)
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'tdkt'") ]]; then
    "${psql[@]}" -c "CREATE ROLE tdkt LOGIN"
    "${psql[@]}" -c "CREATE DATABASE tdkt OWNER tdkt"
  fi
  # the role the service works as: owns nothing, so row-level security holds (TDKT_DB_ROLE)
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'tdkt_app'") ]]; then
    "${psql[@]}" -c "CREATE ROLE tdkt_app NOLOGIN"
    "${psql[@]}" -c "GRANT tdkt_app TO tdkt"
  fi
  echo "postgresql://tdkt@/tdkt?host=$dir/run"
  ;;
stop)
  if [[ -f "$dir/data/PG_VERSION" ]]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: pg.sh start|stop DIR [fast]" >&2; exit 2 ;;
esac
