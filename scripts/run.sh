#!/usr/bin/env bash
# `make run`: serve the demo on 127.0.0.1:8080.
# Without DATABASE_URL a private PostgreSQL is created under ./var/pg (reused next time) and
# stopped again when the server stops; the demo data is loaded into it. With DATABASE_URL the
# given database is migrated (no demo data) and used.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
private=0
if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL=$(scripts/pg.sh start var/pg)
  export DATABASE_URL
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
  admin_unit=$(psql -X -At "$DATABASE_URL" -c "SELECT id FROM units WHERE code = 'TTCP'")
else
  build/tdkt migrate
  admin_unit=1
fi
token=$(build/tdkt token --sub 1 --role admin --unit-id "$admin_unit" --ttl 86400)
cat <<MSG

tdkt is starting on http://$TDKT_LISTEN (Ctrl-C stops it$([[ $private -eq 1 ]] && echo " and its PostgreSQL")).
Demo admin token (24 h), ready to paste:

  curl -s -H 'Authorization: Bearer $token' 'http://$TDKT_LISTEN/v1/units?q=thanh%20tra%20lang%20son'

More tokens: build/tdkt token --sub ID --role admin|authority|officer|viewer|integration --unit-id ID
(with TDKT_JWT_SECRET=\$(cat var/jwt-secret)). Contract: http://$TDKT_LISTEN/openapi.yaml

MSG
# not exec: the EXIT trap must stop PostgreSQL after the server has gone
build/tdkt serve || true
