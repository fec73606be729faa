#!/usr/bin/env bash
# `make run`: serve the demo on 127.0.0.1:8080.
# Without DATABASE_URL a private PostgreSQL is created under ./var/pg (reused next time) and
# stopped again when the server stops; the demo data is loaded into it as the owner (tdkt) and the
# service logs in as tdkt_app, which owns nothing. With DATABASE_URL the given database is
# migrated (as TDKT_MIGRATE_DATABASE_URL's role when set; no demo data) and used.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
private=0
if [[ -z "${DATABASE_URL:-}" ]]; then
  { read -r TDKT_MIGRATE_DATABASE_URL; read -r DATABASE_URL; } < <(scripts/pg.sh start var/pg)
  export DATABASE_URL TDKT_MIGRATE_DATABASE_URL
  private=1
  trap 'scripts/pg.sh stop var/pg' EXIT
fi
if [[ -z "${TDKT_JWT_SECRET:-}" ]]; then
  # kept in var/ so tokens printed here stay valid across restarts
  [[ -s var/jwt-secret ]] || (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n=' > var/jwt-secret)
  TDKT_JWT_SECRET=$(cat var/jwt-secret)
  export TDKT_JWT_SECRET
fi
export TDKT_LISTEN=${TDKT_LISTEN:-127.0.0.1:8080}

if [[ $private -eq 1 ]]; then
  build/tdkt demo
  admin_unit=$(psql -X -At "$TDKT_MIGRATE_DATABASE_URL" -c "SELECT id FROM units WHERE code = 'TTCP'")
  # one demo account per role, passwords generated once and kept in var/demo-users.txt
  if [[ ! -s var/demo-users.txt ]]; then
    (umask 077; : > var/demo-users.txt)
    for spec in "admin:admin:TTCP:Quản trị hệ thống" "authority:authority:TTCP:Vụ Thi đua - Khen thưởng" \
                "officer:officer:TT-LSN:Cán bộ Thanh tra Lạng Sơn" "viewer:viewer:TT-LSN:Người xem" \
                "integration:integration:TTCP:Hệ thống quốc gia"; do
      IFS=: read -r name role code display <<<"$spec"
      unit=$(psql -X -At "$TDKT_MIGRATE_DATABASE_URL" -c "SELECT id FROM units WHERE code = '$code'")
      pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-16)
      if echo "$pw" | build/tdkt user add --username "demo.$name" --role "$role" --unit-id "$unit" \
           --display-name "$display" >/dev/null; then
        printf '%-18s %-18s %s at %s\n' "demo.$name" "$pw" "$role" "$code" >> var/demo-users.txt
      fi
    done
  fi
else
  build/tdkt migrate
  admin_unit=1
fi
token=$(build/tdkt token --sub 1 --role admin --unit-id "$admin_unit" --ttl 86400)
if [[ -s var/demo-users.txt ]]; then
  echo
  echo "Demo accounts (username, password, role at unit) — log in with POST /v1/auth/token:"
  sed 's/^/  /' var/demo-users.txt
  first_pw=$(awk 'NR == 1 {print $2}' var/demo-users.txt)
  echo "  curl -s -H 'Content-Type: application/json' -d '{\"username\":\"demo.admin\",\"password\":\"$first_pw\"}' http://$TDKT_LISTEN/v1/auth/token"
fi
cat <<MSG

tdkt is starting on http://$TDKT_LISTEN (Ctrl-C stops it$([[ $private -eq 1 ]] && echo " and its PostgreSQL")).
Demo admin token (24 h), ready to paste:

  curl -s -H 'Authorization: Bearer $token' 'http://$TDKT_LISTEN/v1/units?q=thanh%20tra%20lang%20son'

More tokens: build/tdkt token --sub ID --role admin|authority|officer|viewer|integration --unit-id ID
(with TDKT_JWT_SECRET=\$(cat var/jwt-secret)). Contract: http://$TDKT_LISTEN/openapi.yaml

MSG
# not exec: the EXIT trap must stop PostgreSQL after the server has gone. A stop signal for this
# script alone (make stopped by a process manager, `timeout make run`: make passes SIGTERM to its
# child only) is passed on to the server, which drains as on Ctrl-C; `wait` returns at each signal,
# so the script waits until the server is gone, however many come
server='' stop=0
trap 'stop=1; [[ -z $server ]] || kill -TERM "$server" 2>/dev/null || true' TERM INT
build/tdkt serve &
server=$!
[[ $stop == 0 ]] || kill -TERM "$server" 2>/dev/null || true
while kill -0 "$server" 2>/dev/null; do
  wait "$server" || true
done
