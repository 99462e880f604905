#!/usr/bin/env bash
# HR Bridge benchmark, one command, six figures (see BENCHMARKS.md):
#   (5) start-up: time from `java -jar` to /observe/health UP, fresh ./data and restart (after a build the fresh start
#       has no AppCDS archive yet and writes it at its stop, the restart starts from it: see bin/hr-bridge);
#   (2) a bare platform-http route answering 200, in the same JVM: the ceiling of this machine;
#   (1) webhook acknowledgements: signed, encrypted v2 events with unique ids, 32 connections (wrk);
#   (4) resident memory and heap after the load, errors in the log, time until the backlog was processed;
#   (3) end-to-end latency from the 200 to the upstream call at a steady 200 events/s, HR Bridge running live
#       against a local stub of Feishu (bench/EndToEnd.java);
#   (6) long-connection acknowledgements: HR Bridge live in long-connection mode against the sandbox's Feishu in a
#       process of its own (bench/LongConnectionLoad.java), which pushes unique events over the one connection with
#       64 unacknowledged at a time and times each push to its acknowledgement;
#   (7) processing cost: HR Bridge restarted, warmed up, then PROCESSING_EVENTS unrouted events and as many of the
#       seed's eco account events sent by 8 clients (bench/ProcessingCost.java); the process's CPU time from /proc
#       until the router has run every one, divided by the events, and the rate from the first send to the last routed;
#   (8) acknowledgements beside the official Lark Java SDK's own event endpoint (bench/LarkSdkEndpoint.java: its
#       EventDispatcher on the JDK HTTP server, no handler work, nothing stored) on the same machine in the same run:
#       signed, encrypted, token-checked events of an unrouted type, three 10 s wrk runs of each, alternating.
# Usage: bench/run.sh [seconds] [connections]        (needs wrk: apt-get install wrk)
# HR Bridge runs as operators start it, with bin/hr-bridge (on two CPUs or fewer: C1 only, see that script).
# BENCH_EVENT_TYPE picks the event type of (1) (default: the seed's hire.eco_account.created_v1, whose flow calls
# the sandbox's Feishu behind each event); BENCH_JAVA_OPTS the JVM options on top of the launcher's (default
# -Xmx256m); HRB_JIT=tiered runs the JVM's default compilers on any host.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
CONNECTIONS=${2:-32}
THREADS=2
EVENT_TYPE=${BENCH_EVENT_TYPE:-hire.eco_account.created_v1}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx256m}
E2E_RATE=200
E2E_SECONDS=20
PROCESSING_EVENTS=${BENCH_PROCESSING_EVENTS:-10000}
PEER_RUNS=3
PEER_SECONDS=10
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f target/hr-bridge.jar ] || mvn -q -DskipTests package
JAR=$PWD/target/hr-bridge.jar
LAUNCHER=$PWD/bin/hr-bridge
WORK=$(mktemp -d)
PID=
PEER=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "$PEER" ] && kill $PEER 2>/dev/null; rm -rf "$WORK"' EXIT
KEY=bench-encrypt-key
TOKEN=bench-verification-token
MGMT=http://127.0.0.1:19876/observe

# starts the jar in $WORK with the given extra environment; sets PID and STARTED_MS (time until healthy)
start() {
  local begin=$(date +%s%N)
  # the flow's catalogue push is throttled to Feishu's 1000/min and 50/s; the simulator and the stub have no limit,
  # and the figures are HR Bridge's own
  (cd "$WORK" && exec env FEISHU_ENCRYPT_KEY=$KEY FEISHU_VERIFICATION_TOKEN=$TOKEN HRB_ROUTES_DIR="$WORK/routes" \
    HRB_THROTTLE_HIRE_ECO_BACKGROUND_CHECK_PACKAGES_CREATE_PER_MINUTE= HRB_THROTTLE_HIRE_ECO_BACKGROUND_CHECK_PACKAGES_CREATE_PER_SECOND= \
    HRB_THROTTLE_HIRE_ECO_EXAM_PAPERS_CREATE_PER_MINUTE= HRB_THROTTLE_HIRE_ECO_EXAM_PAPERS_CREATE_PER_SECOND= \
    CAMEL_SERVER_PORT=18080 HRB_MANAGEMENT_PORT=19876 HRB_JAR="$JAR" JAVA_OPTS="$JAVA_OPTS" "$@" "$LAUNCHER" \
    >> "$WORK/hr-bridge.log" 2>&1) &
  PID=$!
  until curl -sf $MGMT/health >/dev/null; do
    kill -0 $PID 2>/dev/null || { echo "HR Bridge exited:" >&2; tail -20 "$WORK/hr-bridge.log" >&2; exit 1; }
    sleep 0.05
  done
  STARTED_MS=$(( ($(date +%s%N) - begin) / 1000000 ))
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }
mbean() { curl -s "$MGMT/jolokia/read/$1" | sed -E 's/.*"value":([0-9]+).*/\1/'; }

EVENTS=$((SECONDS_PER_RUN * 12000 + 20000))
echo "generating $EVENTS signed, encrypted $EVENT_TYPE events..."
java bench/SignedEvents.java "$WORK/events.tsv" "$EVENTS" "$KEY" "$TOKEN" "$EVENT_TYPE"
mkdir -p "$WORK/routes" && cp bench/routes/bare.camel.yaml "$WORK/routes/"

# the sandbox's Feishu would hold the flow's catalogue pushes to Hire's 50 a second: off, so the backlog measures HR Bridge
start HRB_SANDBOX_FREQUENCY_LIMITS=false; FRESH_MS=$STARTED_MS; stop
start HRB_SANDBOX_FREQUENCY_LIMITS=false; RESTART_MS=$STARTED_MS
# from the process (Jolokia does not show the JVM's options: they may carry secrets)
echo "    JVM options: $(ps -o args= -p $PID | sed -E 's/^[^ ]+ //; s/ -jar .*//')"
echo "(5) start-up to healthy: fresh ${FRESH_MS} ms, restart ${RESTART_MS} ms"

wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/bare.lua http://127.0.0.1:18080/bench/bare >/dev/null
BARE=$(wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency -s bench/bare.lua http://127.0.0.1:18080/bench/bare | grep RESULT)
echo "(2) bare route:  $BARE"

BENCH_THREADS=$THREADS BENCH_EVENTS="$WORK/events.tsv" wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/webhook.lua \
  http://127.0.0.1:18080/webhooks/feishu/events >/dev/null
# the warm-up took events from the start of the file; the measured run uses fresh ids
tail -n +$((EVENTS / 2)) "$WORK/events.tsv" > "$WORK/measured.tsv"
WEBHOOK=$(BENCH_THREADS=$THREADS BENCH_EVENTS="$WORK/measured.tsv" wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s \
  --latency -s bench/webhook.lua http://127.0.0.1:18080/webhooks/feishu/events | grep RESULT)
LOAD_END=$(date +%s%N)
echo "(1) webhook:     $WEBHOOK"
W=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$WEBHOOK"); B=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$BARE")
echo "    webhook rate is $((100 * W / B))% of the bare route"

# the inbox counts are refreshed every 2 s, so the drain time is up to 2 s late
INBOX="dev.hrbridge:context=hr-bridge,type=Inbox"
until [ "$(mbean "$INBOX/JournalBacklog")" = 0 ] && [ "$(mbean "$INBOX/InFlightHere")" = 0 ] \
  && [ "$(mbean "$INBOX/Pending")" = 0 ] && [ "$(mbean "$INBOX/Processing")" = 0 ]; do sleep 0.5; done
DRAIN_MS=$(( ($(date +%s%N) - LOAD_END) / 1000000 ))
HEAP_USED=$(( $(mbean "java.lang:type=Memory/HeapMemoryUsage/used") / 1048576 ))
HEAP_MAX=$(( $(mbean "java.lang:type=Memory/HeapMemoryUsage/max") / 1048576 ))
RSS=$(( $(ps -o rss= -p $PID) / 1024 ))
ERRORS=$(grep -c -E "ERROR|OutOfMemoryError" "$WORK/hr-bridge.log" || true)
echo "(4) after the load: RSS ${RSS} MiB, heap used ${HEAP_USED} of ${HEAP_MAX} MiB, ${ERRORS} ERROR line(s) in the log;"
echo "    every event processed ${DRAIN_MS} ms after the load ended"
stop

rm -rf "$WORK/data"
start FEISHU_APP_ID=cli_bench FEISHU_APP_SECRET=bench-secret HRB_API_TOKEN=bench-api-token \
  FEISHU_BASE_URL=http://127.0.0.1:18181
# warm-up (the JIT compiles the flow's code), then the measured rate and half of it for comparison
java bench/EndToEnd.java http://127.0.0.1:18080/webhooks/feishu/events 18181 50 10 "$KEY" "$TOKEN" >/dev/null
for RATE in $((E2E_RATE / 2)) $E2E_RATE; do
  E2E=$(java bench/EndToEnd.java http://127.0.0.1:18080/webhooks/feishu/events 18181 $RATE $E2E_SECONDS "$KEY" "$TOKEN" | grep RESULT)
  echo "(3) end to end at $RATE/s:  $E2E"
done
stop

rm -rf "$WORK/data" "$WORK/sim.url"
java -cp "$JAR" bench/LongConnectionLoad.java "$WORK/sim.url" $SECONDS_PER_RUN 64 "$EVENT_TYPE" > "$WORK/long-connection.out" 2>&1 &
LOAD=$!
until [ -s "$WORK/sim.url" ]; do kill -0 $LOAD 2>/dev/null || { cat "$WORK/long-connection.out" >&2; exit 1; }; sleep 0.1; done
start FEISHU_APP_ID=cli_bench FEISHU_APP_SECRET=bench-secret HRB_API_TOKEN=bench-api-token \
  FEISHU_BASE_URL="$(cat "$WORK/sim.url")" FEISHU_EVENT_MODE=long-connection
wait $LOAD || { cat "$WORK/long-connection.out" >&2; exit 1; }
echo "(6) long connection: $(grep RESULT "$WORK/long-connection.out")"
stop

# (7) what processing costs: a warm instance, then each kind of event alone, the CPU time of the whole process
rm -rf "$WORK/data"
for kind in unrouted eco; do
  type=bench.unrouted_v1; [ $kind = eco ] && type=hire.eco_account.created_v1
  java bench/SignedEvents.java "$WORK/$kind-warm.tsv" 4000 "$KEY" "$TOKEN" $type
  java bench/SignedEvents.java "$WORK/$kind.tsv" "$PROCESSING_EVENTS" "$KEY" "$TOKEN" $type
done
start HRB_SANDBOX_FREQUENCY_LIMITS=false
cost() { java bench/ProcessingCost.java $PID http://127.0.0.1:18080/webhooks/feishu/events "$1" "$2" 8 $MGMT "$(getconf CLK_TCK)"; }
cost "$WORK/unrouted-warm.tsv" 4000 >/dev/null; cost "$WORK/eco-warm.tsv" 4000 >/dev/null
echo "(7) processing, unrouted: $(cost "$WORK/unrouted.tsv" "$PROCESSING_EVENTS" | grep RESULT)"
echo "    processing, eco account: $(cost "$WORK/eco.tsv" "$PROCESSING_EVENTS" | grep RESULT)"
echo "    RSS after: $(( $(ps -o rss= -p $PID) / 1024 )) MiB"
stop

# (8) HR Bridge's acknowledgements and the Lark SDK's event endpoint, alternating on the same machine
rm -rf "$WORK/data"
PEER_EVENTS=$(( (PEER_RUNS + 1) * PEER_SECONDS * 16000 ))
java bench/SignedEvents.java "$WORK/peer.tsv" $PEER_EVENTS "$KEY" "$TOKEN" bench.unrouted_v1
mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/sdk.cp" >/dev/null
java -cp "$(cat "$WORK/sdk.cp")" bench/LarkSdkEndpoint.java 18299 "$KEY" "$TOKEN" bench.unrouted_v1 > "$WORK/sdk.log" 2>&1 &
PEER=$!
until grep -q READY "$WORK/sdk.log"; do kill -0 $PEER 2>/dev/null || { cat "$WORK/sdk.log" >&2; exit 1; }; sleep 0.1; done
start HRB_SANDBOX_FREQUENCY_LIMITS=false
# each HR Bridge run takes its own slice of the file: every event id reaches it once
SLICE=$(( PEER_EVENTS / (PEER_RUNS + 1) ))
peer_load() { # $1 url, $2 first line, $3 seconds
  # (sed, not tail | head: head's early exit fails the pipe under pipefail, and set -e ended the run here)
  sed -n "$2,$(( $2 + SLICE - 1 ))p; $(( $2 + SLICE - 1 ))q" "$WORK/peer.tsv" > "$WORK/slice.tsv"
  BENCH_THREADS=$THREADS BENCH_EVENTS="$WORK/slice.tsv" wrk -t$THREADS -c$CONNECTIONS -d"$3"s --latency \
    -s bench/webhook.lua "$1" | grep RESULT
}
peer_load http://127.0.0.1:18080/webhooks/feishu/events 1 5 >/dev/null
peer_load http://127.0.0.1:18299/webhook/event 1 5 >/dev/null
for run in $(seq 1 $PEER_RUNS); do
  echo "(8) run $run, HR Bridge:      $(peer_load http://127.0.0.1:18080/webhooks/feishu/events $(( run * SLICE + 1 )) $PEER_SECONDS)"
  echo "    run $run, Lark SDK peer: $(peer_load http://127.0.0.1:18299/webhook/event 1 $PEER_SECONDS)"
done
stop
kill $PEER; wait $PEER 2>/dev/null || true; PEER=
