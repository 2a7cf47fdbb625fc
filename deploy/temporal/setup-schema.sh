#!/bin/sh
# Creates Temporal's two databases on PostgreSQL and brings their schema to the version of the sql tool's
# server release. The same steps for `npm run cluster` (src/runtime/temporal-server.ts runs this file with the
# tool it built) and for docker-compose.yml (the `temporal-schema` job runs it in temporalio/admin-tools).
# Every step is idempotent: create-database ignores an existing database, setup-schema -v 0.0 keeps a newer
# version, update-schema applies only the versions above the current one.
set -eu
: "${TEMPORAL_DB_USER:?}" "${TEMPORAL_DB_PASSWORD:?}"
TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
SCHEMA_DIR="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
HOST="${TEMPORAL_DB_HOST:-127.0.0.1}"
PORT="${TEMPORAL_DB_PORT:-5432}"

for pair in "${TEMPORAL_DB:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  kind="${pair##*:}"
  # The password through the tool's environment variable, not argv (ps shows argv).
  export SQL_PASSWORD="$TEMPORAL_DB_PASSWORD"
  set -- --plugin postgres12 --ep "$HOST" --port "$PORT" --user "$TEMPORAL_DB_USER" --db "$db"
  if [ "${TEMPORAL_SKIP_DB_CREATE:-false}" != true ]; then
    "$TOOL" "$@" create-database
  fi
  "$TOOL" "$@" setup-schema -v 0.0
  "$TOOL" "$@" update-schema -d "$SCHEMA_DIR/$kind/versioned"
done
