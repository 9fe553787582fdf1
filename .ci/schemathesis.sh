#!/usr/bin/env bash
# Contract check: schemathesis against `auftrag serve --demo` on a fresh PostgreSQL database,
# once each as a citizen, a council member and an administrator of `demo`, with every
# check. Any finding fails the run: the OpenAPI document must say what the server does.
#
# Needs the `test` extra installed and a PostgreSQL server (CI_POSTGRES_URL, as in .ci/run).
# CONTRACT_MAX_TIME (seconds per role, default 60) and CONTRACT_MAX_EXAMPLES (per operation,
# default 30) bound it; CONTRACT_PORT (default: a free one) is where the server listens.
set -euo pipefail

cd "$(dirname "$0")/.."

POSTGRES_SERVER=${CI_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DATABASE="auftrag_contract_$(date +%s)_$$"
PORT=${CONTRACT_PORT:-$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
MAX_TIME=${CONTRACT_MAX_TIME:-60}
MAX_EXAMPLES=${CONTRACT_MAX_EXAMPLES:-30}
WORK=$(mktemp -d)

postgres_admin() {
    python - "$POSTGRES_SERVER" "$1" <<'PY'
import asyncio
import sys

import asyncpg


async def main(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


asyncio.run(main(sys.argv[1], sys.argv[2]))
PY
}

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    postgres_admin "DROP DATABASE IF EXISTS \"$DATABASE\" WITH (FORCE)" \
        || echo "contract: could not drop database $DATABASE" >&2
    rm -rf "$WORK"
}
postgres_admin "CREATE DATABASE \"$DATABASE\""
trap cleanup EXIT
# Thrown away at the end: the demo's seed need not wait for each commit to reach the disk.
postgres_admin "ALTER DATABASE \"$DATABASE\" SET synchronous_commit = off"

export DATABASE_URL="${POSTGRES_SERVER%/*}/$DATABASE"
export AUFTRAG_VAR_DIR="$WORK/var"
export SECRET_KEY="contract-$(python -c 'import secrets; print(secrets.token_hex(16))')"
# Thousands of requests from one address and account in a minute are the point here.
export RATE_LIMITS=off
unset REDIS_URL OLD_SECRET_KEYS

auftrag serve --demo --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
ready=""
for _ in $(seq 240); do
    if python -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "http://127.0.0.1:$PORT/api/v1/health" 2>/dev/null; then
        ready=1
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        break
    fi
    sleep 0.5
done
if [ -z "$ready" ]; then
    cat "$WORK/server.log" >&2
    echo "contract: the server did not start" >&2
    exit 1
fi

citizen=$(auftrag token --email citizen@contract.example --municipality demo --verified)
council=$(auftrag token --email rat@demo.example)
admin=$(auftrag token --email admin@demo.example)

status=0
for role in citizen council admin; do
    printf '\n--- schemathesis as %s\n' "$role"
    # One worker: hypothesis reads lambda sources with `ast`, which is not thread-safe on
    # Python 3.11. Ending one's own session or account would sign the rest of the run out;
    # the pytest suite covers those three operations.
    st --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/api/openapi.json" \
        --checks all \
        --header "Authorization: Bearer ${!role}" \
        --exclude-operation-id revoke_all_sessions \
        --exclude-operation-id revoke_session \
        --exclude-operation-id delete_me \
        --max-examples "$MAX_EXAMPLES" \
        --max-time "$MAX_TIME" \
        --request-timeout 5 \
        --workers 1 \
        --seed "${CONTRACT_SEED:-$RANDOM}" \
        --generation-database none \
        --no-color \
        || status=1
done

if [ "$status" -ne 0 ]; then
    echo "contract: schemathesis found differences between the document and the server" >&2
    tail -n 50 "$WORK/server.log" >&2
fi
exit "$status"
