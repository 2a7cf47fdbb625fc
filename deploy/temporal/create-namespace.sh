#!/bin/sh
# Registers orglife's namespace on a Temporal server once it answers. The same step for `npm run cluster`
# (run with the Go-built `temporal` CLI) and docker-compose.yml (the `temporal-namespace` job, in
# temporalio/admin-tools). Idempotent: an existing namespace is left as it is.
set -eu
CLI="${TEMPORAL_CLI:-temporal}"
ADDR="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
NS="${TEMPORAL_NAMESPACE:-default}"
# Closed runs are kept this long in Temporal (orglife's own record of every process lives in PostgreSQL).
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"

tries=0
until "$CLI" operator cluster health --address "$ADDR" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then echo "Temporal at $ADDR did not answer in 120 s" >&2; exit 1; fi
  sleep 1
done
if "$CLI" operator namespace describe --address "$ADDR" --namespace "$NS" >/dev/null 2>&1; then
  echo "namespace $NS exists"
else
  "$CLI" operator namespace create --address "$ADDR" --namespace "$NS" --retention "$RETENTION"
fi
