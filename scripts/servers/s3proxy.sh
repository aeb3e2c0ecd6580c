#!/usr/bin/env bash
# S3Proxy (org.gaul:s3proxy from Maven Central): a real S3 API server over a temporary folder, for the S3 adapter's
# tests. Ports 9100-9149 on 127.0.0.1 only (S3Mock uses 9150-9199).
#
#   scripts/servers/s3proxy.sh provision              download into .ci/servers/s3proxy (first run only)
#   scripts/servers/s3proxy.sh start [--owner PID]    start on a free port; prints KEY=VALUE lines on stdout:
#        S3PROXY_URL, S3PROXY_ACCESS_KEY, S3PROXY_SECRET_KEY, S3PROXY_PID, S3PROXY_STATE
#        --owner PID: stop the server when that process exits (test runners pass their own PID)
#   scripts/servers/s3proxy.sh stop [STATE_DIR]       stop by PID and delete its data (default: the last start)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=s3proxy
JAR_GLOB='s3proxy-*-jar-with-dependencies.jar'

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
  [[ -n "$jar" ]] || die "no S3Proxy jar in $CACHE_ROOT/$NAME/lib"
  command -v java >/dev/null || die "java not found (S3Proxy needs Java 17+)"

  local state; state="$(mktemp -d /tmp/evarchive-s3proxy.XXXXXX)"
  mkdir -p "$state/data"
  local access="evarchive-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local secret; secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

  exec 9>"$CACHE_ROOT/.start-$NAME.lock"
  flock 9
  local port; port="$(free_port 9100 9149)" || die "no free port in 9100-9149"
  cat > "$state/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$state/data
CONF
  local t0; t0=$(date +%s%N)
  setsid java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" --properties "$state/s3proxy.conf" </dev/null >"$state/server.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" > "$state/pid"
  local i up=""
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then tail -20 "$state/server.log" >&2; rm -rf "$state"; die "S3Proxy exited during start"; fi
    # Any HTTP answer (403 for an anonymous request) means it is serving.
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" != "000" ]]; then up=1; break; fi
    sleep 0.1
  done
  exec 9>&-
  if [[ -z "$up" ]]; then tail -20 "$state/server.log" >&2; stop_server "$state"; die "S3Proxy did not answer within 60 s"; fi
  if [[ -n "$owner" ]]; then watchdog "$owner" "$pid" "$state" > "$state/watchdog.pid"; fi
  record_last "$NAME" "$state"
  log "S3Proxy up on 127.0.0.1:$port (pid $pid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  echo "S3PROXY_URL=http://127.0.0.1:$port"
  echo "S3PROXY_ACCESS_KEY=$access"
  echo "S3PROXY_SECRET_KEY=$secret"
  echo "S3PROXY_PID=$pid"
  echo "S3PROXY_STATE=$state"
}

case "${1:-}" in
  provision) provision "$NAME" ;;
  start) shift; start "$@" ;;
  stop) stop_server "${2:-$(last_state "$NAME")}" ;;
  *) echo "usage: $0 provision | start [--owner PID] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
