#!/usr/bin/env bash
# Webhook acknowledgement benchmark: signed, encrypted v2 events with unique ids at 32 connections against
# HR Bridge (sandbox mode, H2 default), and in the same run a bare platform-http route in the same JVM.
# Usage: bench/webhook-ack.sh [seconds] [connections]       (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
CONNECTIONS=${2:-32}
THREADS=2
# the seed's eco-account event runs the whole binding flow (catalogue push to the sandbox) behind each 200
EVENT_TYPE=${BENCH_EVENT_TYPE:-hire.eco_account.created_v1}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f target/hr-bridge.jar ] || mvn -q -DskipTests package

WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=bench-encrypt-key
TOKEN=bench-verification-token
EVENTS=$((SECONDS_PER_RUN * 12000 + 20000))
echo "generating $EVENTS signed, encrypted events..."
java bench/SignedEvents.java "$WORK/events.tsv" "$EVENTS" "$KEY" "$TOKEN" "$EVENT_TYPE"

mkdir -p "$WORK/routes" && cp bench/routes/bare.camel.yaml "$WORK/routes/"
(cd "$WORK" && FEISHU_ENCRYPT_KEY=$KEY FEISHU_VERIFICATION_TOKEN=$TOKEN HRB_ROUTES_DIR="$WORK/routes" \
  CAMEL_SERVER_PORT=18080 HRB_MANAGEMENT_PORT=19876 exec java ${BENCH_JAVA_OPTS:--Xmx256m} -jar "$OLDPWD/target/hr-bridge.jar" \
  > "$WORK/hr-bridge.log" 2>&1) &
PID=$!
until curl -sf localhost:19876/observe/health >/dev/null; do sleep 0.2; done

# the bare route first, on an idle instance: the ceiling of this JVM and machine
echo "warm-up, bare route (5 s)"
wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/bare.lua http://127.0.0.1:18080/bench/bare >/dev/null
echo "bare platform-http route, $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
BARE=$(wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency -s bench/bare.lua http://127.0.0.1:18080/bench/bare | grep RESULT)
echo "  $BARE"

echo "warm-up, webhook (5 s)"
BENCH_THREADS=$THREADS BENCH_EVENTS="$WORK/events.tsv" wrk -t$THREADS -c$CONNECTIONS -d5s -s bench/webhook.lua \
  http://127.0.0.1:18080/webhooks/feishu/events >/dev/null
# the warm-up events came from the first slice; the measured run uses fresh ids
tail -n +$((EVENTS / 2)) "$WORK/events.tsv" > "$WORK/measured.tsv"
echo "webhook: signed, encrypted v2 $EVENT_TYPE events, unique ids, $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
WEBHOOK=$(BENCH_THREADS=$THREADS BENCH_EVENTS="$WORK/measured.tsv" wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s \
  --latency -s bench/webhook.lua http://127.0.0.1:18080/webhooks/feishu/events | grep RESULT)
echo "  $WEBHOOK"
W=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$WEBHOOK"); B=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$BARE")
echo "webhook rate is $((100 * W / B))% of the bare route"
echo "resident memory after the run: $(($(ps -o rss= -p $PID) / 1024)) MiB"
curl -s "localhost:18080/api/v1/events?limit=1" -H "Authorization: Bearer sandbox-token" >/dev/null
