#!/bin/sh
# Server CPU per request of one server process under the /healthz load of bench/serve/load.ts
# (50 connections, 2 s warm-up, 8 s measured), from /proc/PID/stat before and after:
#
#   bench/serve/cpu-per-request.sh LABEL COMMAND...      (the command's server must listen on 127.0.0.1:18080)
#
# e.g. bench/serve/cpu-per-request.sh "bare Hono" node --import tsx bench/serve/bare.ts hono 18080
set -e
LABEL=$1; shift
SPEC=$(mktemp)
echo '{"url":"http://127.0.0.1:18080","connections":50,"duration":8,"warmup":2,"title":"healthz","path":"/healthz","seed":1}' > "$SPEC"
"$@" > /dev/null 2>&1 &
PID=$!
for i in $(seq 1 240); do curl -sf 127.0.0.1:18080/healthz > /dev/null && break; sleep 0.5; done
sleep 3
a=$(awk '{print $14+$15}' /proc/$PID/stat)
R=$(node --import tsx bench/serve/load.ts "$SPEC" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(Math.round(r.requests.average), r.requests.total, r.latency.p99)})')
b=$(awk '{print $14+$15}' /proc/$PID/stat)
set -- $R
echo "$LABEL: $1 req/s, p99 $3 ms, server CPU $(( (b - a) * 10000 / $2 )) µs per request; load average $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM $PID; wait $PID 2>/dev/null || true
rm -f "$SPEC"
