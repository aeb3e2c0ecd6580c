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
LABEL=S3Mock

launch() {
  local state="$1"
  local jar; jar="$(ls "$CACHE_ROOT/$NAME/lib/"s3mock-*-exec.jar 2>/dev/null | head -1)"
  [[ -n "$jar" ]] || die "no S3Mock jar in $CACHE_ROOT/$NAME/lib"
  command -v java >/dev/null || die "java not found (S3Mock needs Java 17+)"
  mkdir -p "$state/data"
  PORT="$(free_port 9150 9174 25)" || die "no free port pair in 9150-9174 / 9175-9199"
  LAUNCH_PROBE="http_status_is $PORT 200"
  LAUNCH_TRIES=1200
  LAUNCH_OUTPUT=()
  spawn "$state" java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    --com.adobe.testing.s3mock.httpPort="$PORT" --server.port=$((PORT + 25)) --server.address=127.0.0.1 \
    --com.adobe.testing.s3mock.store.root="$state/data" --com.adobe.testing.s3mock.store.retainFilesOnExit=false \
    --spring.main.banner-mode=off
}

server_main "$@"
