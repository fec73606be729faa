#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder, listening only on a Unix socket inside it.
#   scripts/pg.sh start DIR [fast]   initdb on first use, start, create the roles and database;
#                                    prints two lines: the owner's URL (TDKT_MIGRATE_DATABASE_URL),
#                                    then the service's (DATABASE_URL). "fast" turns off fsync (tests only).
# Roles: tdkt owns the database and its tables (migrate, demo); tdkt_app is what `serve` logs in
# as: it owns nothing, is no superuser and cannot bypass row-level security, so not even an
# injected RESET ROLE could leave the policies behind.
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
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'tdkt_app'") ]]; then
    "${psql[@]}" -c "CREATE ROLE tdkt_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
  fi
  # clusters made before the split had tdkt_app as a role tdkt switched to
  "${psql[@]}" -c "ALTER ROLE tdkt_app LOGIN NOSUPERUSER NOBYPASSRLS" -c "REVOKE tdkt_app FROM tdkt" 2>/dev/null
  echo "postgresql://tdkt@/tdkt?host=$dir/run"
  echo "postgresql://tdkt_app@/tdkt?host=$dir/run"
  ;;
stop)
  if [[ -f "$dir/data/PG_VERSION" ]]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: pg.sh start|stop DIR [fast]" >&2; exit 2 ;;
esac
