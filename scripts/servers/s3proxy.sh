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
LABEL=S3Proxy

launch() {
  local state="$1"
  local jar; jar="$(ls "$CACHE_ROOT/$NAME/lib/"s3proxy-*-jar-with-dependencies.jar 2>/dev/null | head -1)"
  [[ -n "$jar" ]] || die "no S3Proxy jar in $CACHE_ROOT/$NAME/lib"
  command -v java >/dev/null || die "java not found (S3Proxy needs Java 17+)"
  mkdir -p "$state/data"
  local access="evarchive-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local secret; secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  PORT="$(free_port 9100 9149)" || die "no free port in 9100-9149"
  cat > "$state/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$state/data
CONF
  # Any HTTP answer (403 for an anonymous request) means it is serving.
  LAUNCH_PROBE="http_status_is $PORT any"
  LAUNCH_TRIES=600
  LAUNCH_OUTPUT=("ACCESS_KEY=$access" "SECRET_KEY=$secret")
  spawn "$state" java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" --properties "$state/s3proxy.conf"
}

server_main "$@"
