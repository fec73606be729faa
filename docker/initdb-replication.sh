#!/bin/bash
# Run once by the postgres image when its data folder is new (/docker-entrypoint-initdb.d): a
# role the replica clones and streams with, and the pg_hba.conf line that lets it in from the
# compose network. Change the password for real use.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replicator'"
echo "host replication replicator 172.28.0.0/24 scram-sha-256" >> "$PGDATA/pg_hba.conf"
