#!/usr/bin/env bash
# Adobe S3Mock (com.adobe.testing:s3mock from Maven Central): an S3 server that accepts object-lock buckets and
# reports per-object retention, for the S3 adapter's object-lock path. HTTP on 9150-9174, its mandatory HTTPS
# connector on HTTP+25, 127.0.0.1 only, data in a temporary folder. It ignores credentials.
#
#   scripts/servers/s3mock.sh provision              download into .ci/servers/s3mock (first run only)
#   scripts/servers/s3mock.sh start [--owner PID]    start on a free port; prints KEY=VALUE lines on stdout:
#        S3MOCK_URL, S3MOCK_PID, S3MOCK_STATE
#   scripts/servers/s3mock.sh stop [STATE_DIR]       stop by PID and delete its data (default: the last start)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=s3mock
JAR_GLOB='s3mock-*-exec.jar'

start() {
  local owner=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --owner) owner="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  provision "$NAME"
  local jar; jar="$(ls "$CACHE_ROOT/$NAME/lib/"$JAR_GLOB 2>/dev/null | head -1)"
  [[ -n "$jar" ]] || die "no S3Mock jar in $CACHE_ROOT/$NAME/lib"
  command -v java >/dev/null || die "java not found (S3Mock needs Java 17+)"

  local state; state="$(mktemp -d /tmp/evarchive-s3mock.XXXXXX)"
  mkdir -p "$state/data"

  exec 9>"$CACHE_ROOT/.start-$NAME.lock"
  flock 9
  local port; port="$(free_port 9150 9174 25)" || die "no free port pair in 9150-9174 / 9175-9199"
  local t0; t0=$(date +%s%N)
  setsid java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    --com.adobe.testing.s3mock.httpPort="$port" --server.port=$((port + 25)) --server.address=127.0.0.1 \
    --com.adobe.testing.s3mock.store.root="$state/data" --com.adobe.testing.s3mock.store.retainFilesOnExit=false \
    --spring.main.banner-mode=off \
    </dev/null >"$state/server.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" > "$state/pid"
  local i up=""
  for ((i = 0; i < 1200; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then tail -20 "$state/server.log" >&2; rm -rf "$state"; die "S3Mock exited during start"; fi
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" == "200" ]]; then up=1; break; fi
    sleep 0.1
  done
  exec 9>&-
  if [[ -z "$up" ]]; then tail -20 "$state/server.log" >&2; stop_server "$state"; die "S3Mock did not answer within 120 s"; fi
  if [[ -n "$owner" ]]; then watchdog "$owner" "$pid" "$state" > "$state/watchdog.pid"; fi
  record_last "$NAME" "$state"
  log "S3Mock up on 127.0.0.1:$port (pid $pid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  echo "S3MOCK_URL=http://127.0.0.1:$port"
  echo "S3MOCK_PID=$pid"
  echo "S3MOCK_STATE=$state"
}

case "${1:-}" in
  provision) provision "$NAME" ;;
  start) shift; start "$@" ;;
  stop) stop_server "${2:-$(last_state "$NAME")}" ;;
  *) echo "usage: $0 provision | start [--owner PID] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
