# Shared by s3proxy.sh, s3mock.sh and opensearch.sh (sourced, not run). Provisioning from Maven Central into an ignored cache,
# free-port picking under a lock, readiness waits, and stopping by PID.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Download cache: ignored by git (.ci/servers/ is in .gitignore); override to share one cache between clones.
CACHE_ROOT="${EVARCHIVE_SERVERS_CACHE:-$REPO_ROOT/.ci/servers}"
POMS="$REPO_ROOT/.ci/maven"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

# provision NAME: copies the artifacts that .ci/maven/NAME/pom.xml names into $CACHE_ROOT/NAME/lib. A stamp of the
# pom's hash makes later runs skip Maven entirely (no JVM start, no network); a changed pom re-provisions.
provision() {
  local name="$1" pom="$POMS/$1/pom.xml" dir="$CACHE_ROOT/$1"
  [[ -f "$pom" ]] || die "missing $pom"
  local want; want="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$want" && -d "$dir/lib" ]]; then return 0; fi
  mkdir -p "$CACHE_ROOT"
  # Two test workers may provision at once; the second waits and then finds the stamp.
  exec 8>"$CACHE_ROOT/.provision-$name.lock"
  flock 8
  if [[ -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$want" && -d "$dir/lib" ]]; then exec 8>&-; return 0; fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) to provision $name"
  log "provisioning $name from Maven Central (first run only)…"
  local t0=$SECONDS tmp="$dir/lib.new.$$"
  rm -rf "$tmp"
  mkdir -p "$dir"
  # Maven 3.8 prints ANSI resets even with -B; strip them so CI logs stay readable (pipefail keeps mvn's status).
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 \
    | sed -u 's/\x1b\[[0-9;]*m//g' >&2 \
    || { rm -rf "$tmp"; die "Maven could not provision $name (see above)"; }
  rm -rf "$dir/lib"
  mv "$tmp" "$dir/lib"
  echo "$want" > "$dir/stamp"
  log "provisioned $name: $(du -sh "$dir/lib" | cut -f1) in $((SECONDS - t0)) s"
  exec 8>&-
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port FROM TO [OFFSET]: the first port in the range that is free (and, with OFFSET, whose port+OFFSET is
# free too). Call it while holding the start lock, or two starters may pick the same port.
free_port() {
  local p
  for ((p = $1; p <= $2; p++)); do
    port_in_use "$p" && continue
    if [[ -n "${3:-}" ]] && port_in_use $((p + $3)); then continue; fi
    echo "$p"
    return 0
  done
  return 1
}

# watchdog OWNER_PID SERVER_PID STATE_DIR: stops the server and deletes its temp data when the process that asked
# for it (a Jest worker) dies without calling stop, so a crashed test run leaves no JVM and no data behind.
watchdog() {
  local owner="$1" pid="$2" state="$3"
  setsid bash -c "
    while kill -0 $owner 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 2; done
    kill $pid 2>/dev/null || exit 0
    for i in \$(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    kill -KILL $pid 2>/dev/null || true
    rm -rf '$state'
  " </dev/null >/dev/null 2>&1 8>&- 9>&- &
  echo $!
}

# stop_server STATE_DIR: TERM, wait up to 30 s, then KILL; removes the state dir (temp data included).
stop_server() {
  local state="$1"
  [[ -d "$state" ]] || die "no such server state folder: $state"
  [[ -f "$state/pid" ]] || die "$state has no pid file"
  local pid; pid="$(cat "$state/pid")"
  if [[ -f "$state/watchdog.pid" ]]; then kill "$(cat "$state/watchdog.pid")" 2>/dev/null || true; fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid ignored TERM for 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -rf "$state"
}

# last_state NAME: the state folder of the most recent start from this checkout, for a bare `stop`.
last_state() {
  local f="$CACHE_ROOT/run/$1.last"
  [[ -f "$f" ]] || die "no recorded $1 start; pass the state folder printed by start"
  cat "$f"
}

record_last() {
  mkdir -p "$CACHE_ROOT/run"
  echo "$2" > "$CACHE_ROOT/run/$1.last"
}

# --- The start/stop lifecycle every server script shares ---------------------------------------------------
# A script defines NAME, LABEL (for messages) and a function `launch STATE` that writes its config under STATE,
# picks PORT with free_port and sets LAUNCH_PROBE (a command that succeeds once the server serves) and
# LAUNCH_TRIES (probes 0.1 s apart), then calls `spawn STATE command...`. `server_main "$@"` does the rest.

# http_status_is PORT CODE: the root URL answers CODE ("any" for any HTTP answer at all).
http_status_is() {
  local got; got="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" || true)"
  if [[ "$2" == any ]]; then [[ "$got" != "000" ]]; else [[ "$got" == "$2" ]]; fi
}

# spawn STATE command...: runs the server in its own session, output to STATE/server.log, PID in STATE/pid.
spawn() {
  local state="$1"; shift
  setsid "$@" </dev/null >"$state/server.log" 2>&1 9>&- &
  SERVER_PID=$!
  echo "$SERVER_PID" > "$state/pid"
}

# start [--owner PID]: start lock, launch, wait for the probe, watchdog, KEY=VALUE lines on stdout.
start() {
  local owner=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --owner) owner="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  provision "$NAME"
  local state; state="$(mktemp -d "/tmp/evarchive-$NAME.XXXXXX")"
  local t0; t0=$(date +%s%N)
  exec 9>"$CACHE_ROOT/.start-$NAME.lock"
  flock 9
  launch "$state"
  local i up=""
  for ((i = 0; i < LAUNCH_TRIES; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then tail -30 "$state/server.log" >&2; rm -rf "$state"; die "$LABEL exited during start"; fi
    if $LAUNCH_PROBE; then up=1; break; fi
    sleep 0.1
  done
  exec 9>&-
  if [[ -z "$up" ]]; then tail -30 "$state/server.log" >&2; stop_server "$state"; die "$LABEL did not answer within $((LAUNCH_TRIES / 10)) s"; fi
  if [[ -n "$owner" ]]; then watchdog "$owner" "$SERVER_PID" "$state" > "$state/watchdog.pid"; fi
  record_last "$NAME" "$state"
  log "$LABEL up on 127.0.0.1:$PORT (pid $SERVER_PID) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  local prefix; prefix="$(echo "$NAME" | tr '[:lower:]' '[:upper:]')"
  echo "${prefix}_URL=http://127.0.0.1:$PORT"
  local kv; for kv in "${LAUNCH_OUTPUT[@]}"; do echo "${prefix}_$kv"; done
  echo "${prefix}_PID=$SERVER_PID"
  echo "${prefix}_STATE=$state"
}

server_main() {
  case "${1:-}" in
    provision) provision "$NAME" ;;
    start) shift; start "$@" ;;
    stop) stop_server "${2:-$(last_state "$NAME")}" ;;
    *) echo "usage: $0 provision | start [--owner PID] | stop [STATE_DIR]" >&2; exit 2 ;;
  esac
}
