#!/usr/bin/env bash
# Vision for a team, on one machine or as the model for several: the code server, the Dagster webserver and
# the Dagster daemon as three separate processes sharing the PostgreSQL instance of deploy/dagster.yaml, and
# nginx in front of the webserver as the only way in (TLS and basic authentication, deploy/nginx.conf.template).
# `make team` runs it; Ctrl-C or SIGTERM stops all four; if one of them dies, the others are stopped too and
# the script exits non-zero naming it. docs/team.md describes the settings and what is tested.
#
# Settings (environment). Secrets are read from the environment or from a file, never from the repository:
#   DAGSTER_HOME                 the instance folder (deploy/dagster.yaml is copied into it)
#   DAGSTER_PG_HOST, DAGSTER_PG_PORT (5432), DAGSTER_PG_USER, DAGSTER_PG_DB
#   DAGSTER_PG_PASSWORD or DAGSTER_PG_PASSWORD_FILE
#   VISION_PROXY_HTPASSWD        the proxy's users and password hashes (htpasswd format)
#   VISION_PROXY_CERT, VISION_PROXY_KEY   the TLS certificate and key the proxy serves
#   VISION_PROXY_HOST (0.0.0.0), VISION_PROXY_PORT (8443)
#   VISION_WEBSERVER_PORT (3000), VISION_CODE_SERVER_PORT (4000): loopback only
#   VISION_TEAM_LOG_DIR (data/logs/team)  where each service writes its log
# plus the platform's own settings (VISION_WAREHOUSE, VISION_LANDING_ROOT, ...), which every process inherits.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

fail() { echo "team.sh: $*" >&2; exit 2; }
need() { [ -n "${!1:-}" ] || fail "$1 is not set (see the header of deploy/team.sh)"; }

# A secret may come as a file (Docker and Kubernetes secrets are mounted as files): VAR_FILE names it.
if [ -z "${DAGSTER_PG_PASSWORD:-}" ] && [ -n "${DAGSTER_PG_PASSWORD_FILE:-}" ]; then
    [ -r "$DAGSTER_PG_PASSWORD_FILE" ] || fail "DAGSTER_PG_PASSWORD_FILE ($DAGSTER_PG_PASSWORD_FILE) is not readable"
    DAGSTER_PG_PASSWORD="$(cat "$DAGSTER_PG_PASSWORD_FILE")"
fi
for setting in DAGSTER_HOME DAGSTER_PG_HOST DAGSTER_PG_USER DAGSTER_PG_DB DAGSTER_PG_PASSWORD \
               VISION_PROXY_HTPASSWD VISION_PROXY_CERT VISION_PROXY_KEY; do
    need "$setting"
done
for file in VISION_PROXY_HTPASSWD VISION_PROXY_CERT VISION_PROXY_KEY; do
    [ -r "${!file}" ] || fail "$file (${!file}) is not a readable file"
done
export DAGSTER_PG_PASSWORD DAGSTER_PG_PORT="${DAGSTER_PG_PORT:-5432}"
export VISION_PROXY_HOST="${VISION_PROXY_HOST:-0.0.0.0}" VISION_PROXY_PORT="${VISION_PROXY_PORT:-8443}"
export VISION_WEBSERVER_PORT="${VISION_WEBSERVER_PORT:-3000}"
export VISION_CODE_SERVER_HOST=127.0.0.1 VISION_CODE_SERVER_PORT="${VISION_CODE_SERVER_PORT:-4000}"
export VISION_TEAM_LOG_DIR="${VISION_TEAM_LOG_DIR:-$repo/data/logs/team}"
export VISION_TEAM_RUN_DIR="$DAGSTER_HOME/proxy"
mkdir -p "$DAGSTER_HOME" "$VISION_TEAM_LOG_DIR" "$VISION_TEAM_RUN_DIR"
cp "$here/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
cd "$repo"

# The schema is created (or upgraded after a Dagster upgrade) once, before the services start: three
# processes creating it at the same moment would race.
migrate_log="$VISION_TEAM_LOG_DIR/instance-migrate.log"
if ! dagster instance migrate > "$migrate_log" 2>&1; then
    # The database's own words (wrong password, unknown database, no server) come before the traceback.
    why="$(grep -m1 -o 'failed: .*' "$migrate_log" || tail -1 "$migrate_log")"
    fail "the instance could not be migrated: ${why} (log: $migrate_log)"
fi

envsubst '${VISION_TEAM_RUN_DIR} ${VISION_TEAM_LOG_DIR} ${VISION_PROXY_HOST} ${VISION_PROXY_PORT}
          ${VISION_PROXY_CERT} ${VISION_PROXY_KEY} ${VISION_PROXY_HTPASSWD} ${VISION_WEBSERVER_PORT}' \
    < "$here/nginx.conf.template" > "$VISION_TEAM_RUN_DIR/nginx.conf"
nginx -t -q -p "$VISION_TEAM_RUN_DIR" -c "$VISION_TEAM_RUN_DIR/nginx.conf" -g "daemon off;" \
    || fail "nginx refused the rendered $VISION_TEAM_RUN_DIR/nginx.conf"

declare -A service_of=()
stop_all() {  # SIGTERM each service; whatever still runs 30 s later is killed
    trap - INT TERM EXIT
    for pid in "${!service_of[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 30); do
        alive=0
        for pid in "${!service_of[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 1
    done
    for pid in "${!service_of[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

start() {  # start NAME COMMAND...: in the background, its output in NAME.log
    local name="$1"; shift
    # A script's background commands start with SIGINT ignored, and Dagster's services treat SIGTERM as
    # SIGINT: restored to the default here, or they would ignore the stop signal.
    env --default-signal=INT,TERM "$@" > "$VISION_TEAM_LOG_DIR/$name.log" 2>&1 &
    service_of[$!]="$name"
    echo "team.sh: $name started (pid $!, log $VISION_TEAM_LOG_DIR/$name.log)"
}

start code-server dagster code-server start -m vision_assets.definitions --location-name vision \
    -h "$VISION_CODE_SERVER_HOST" -p "$VISION_CODE_SERVER_PORT"
code_server=$!
until dagster api grpc-health-check -h "$VISION_CODE_SERVER_HOST" -p "$VISION_CODE_SERVER_PORT" > /dev/null 2>&1; do
    kill -0 "$code_server" 2>/dev/null \
        || fail "the code server exited while loading; see $VISION_TEAM_LOG_DIR/code-server.log"
    sleep 1
done
start webserver dagster-webserver -w "$here/workspace.yaml" -h 127.0.0.1 -p "$VISION_WEBSERVER_PORT"
start daemon dagster-daemon run -w "$here/workspace.yaml"
start proxy nginx -p "$VISION_TEAM_RUN_DIR" -c "$VISION_TEAM_RUN_DIR/nginx.conf" -g "daemon off;"
echo "team.sh: the UI is at https://$VISION_PROXY_HOST:$VISION_PROXY_PORT (basic authentication)"

# Wait for the first service to exit; a team's services are meant to run until stopped.
set +e
wait -n -p ended
status=$?
echo "team.sh: ${service_of[$ended]:-a service} exited with status $status; stopping the others" >&2
exit 1
