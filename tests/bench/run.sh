#!/usr/bin/env bash
# make bench: every figure of issue 8's "Benchmarks", each against a baseline
# measured in the same run on this machine, medians over repeated runs.
# Prints one line per figure and writes them to build/bench.json. Targets are
# reported, never asserted: the script fails only when a benchmark cannot run.
#
# Environment: LABELCOOP_BIN (the labelcoop binary, default build/labelcoop),
# LABELCOOP_ROOT (the source tree, default two folders up), LABELCOOP_BENCH
# (the bench program, default tests/labelcoop_bench next to the binary),
# LABELCOOP_BENCH_JSON (default bench.json next to the binary), BENCH_QUICK=1
# (shorter runs, for trying the script out), BENCH_ONLY (some of: eval http
# whatif hooks docs; default all), BENCH_HOOK_EVENTS (webhook deliveries per run).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "${LABELCOOP_ROOT:-$HERE/../..}" && pwd)
BIN=$(readlink -f "${LABELCOOP_BIN:-$ROOT/build/labelcoop}")
BENCH=$(readlink -f "${LABELCOOP_BENCH:-$(dirname "$BIN")/tests/labelcoop_bench}")
JSON=${LABELCOOP_BENCH_JSON:-$(dirname "$BIN")/bench.json}
RULES=$ROOT/rules

ROUNDS=3          # repeated runs per figure (medians)
HTTP_ROUNDS=5     # wrk runs of each server for each request (paired rounds)
WRK_SECONDS=5     # each wrk run
EVAL_SECONDS=0.5  # each evaluation run (5 runs)
HOOK_EVENTS=5000  # webhook deliveries per run
DOC_ROUNDS=9      # paired uploads and copies (a tenth of a second each)
if [ "${BENCH_QUICK:-}" = 1 ]; then
    ROUNDS=1 HTTP_ROUNDS=1 WRK_SECONDS=2 EVAL_SECONDS=0.2 HOOK_EVENTS=1000 DOC_ROUNDS=1
fi
HOOK_EVENTS=${BENCH_HOOK_EVENTS:-$HOOK_EVENTS}
ONLY=" ${BENCH_ONLY:-eval http whatif hooks docs} "
want() { [[ $ONLY == *" $1 "* ]]; }

for f in "$BIN" "$BENCH"; do
    [ -x "$f" ] || { echo "bench: $f is missing; build first (cmake --build build)" >&2; exit 2; }
done

# ---- processes and cleanup ------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/labelcoop-bench.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops one process started here, and forgets it.
stop() {
    local pid=$1 keep=() p
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# Waits until FILE has a line matching REGEX; prints the match.
wait_for() {
    local file=$1 regex=$2 seconds=${3:-20} i
    for i in $(seq $((seconds * 20))); do
        if grep -qE "$regex" "$file" 2>/dev/null; then grep -oE "$regex" "$file" | tail -1; return 0; fi
        sleep 0.05
    done
    echo "bench: timed out waiting for '$regex' in $file" >&2
    cat "$file" >&2 || true
    return 1
}

# Starts `labelcoop serve` on DB with extra options; sets SERVE_PID, SERVE_PORT.
start_serve() {
    local db=$1 out
    shift
    out=$TMP/serve.$RANDOM.out
    "$BIN" serve --db "$db" --rules "$RULES" --web "$ROOT/web" --listen 127.0.0.1:0 \
        --tick-seconds 0 "$@" >"$out" 2>>"$TMP/serve.err" &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    SERVE_PORT=$(wait_for "$out" 'listening on http://127\.0\.0\.1:[0-9]+' | grep -oE '[0-9]+$') ||
        { cat "$TMP/serve.err" >&2; exit 1; }
}

# Adds a CAE member EMAIL of organisation 1 to DB, starts serve on it and
# logs in; sets SERVE_PID, SERVE_PORT, BASE and TOKEN.
serve_logged_in() {
    local db=$1 email=$2 password=bench-$RANDOM$RANDOM$RANDOM
    echo "$password" | "$BIN" user add --db "$db" --email "$email" --name Bench \
        --role cae --org 1 --password-stdin >/dev/null
    start_serve "$db"
    BASE=http://127.0.0.1:$SERVE_PORT/api/v1
    TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$BASE/session" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$TOKEN" ] || { echo "bench: login failed" >&2; exit 1; }
}

median() { "$BENCH" median "$@"; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
ROWS=$TMP/rows.tsv
: >"$ROWS"
# row NAME VALUE UNIT BASELINE BASELINE_VALUE RATIO TARGET
row() { local IFS=$'\t'; echo "$*" >>"$ROWS"; }
note() { echo "bench: $*" >&2; }

# Sum of utime + stime (clock ticks) of the given processes.
cpu_ticks() {
    local t=0 p f
    for p in "$@"; do
        read -r -a f < <(sed 's/^.*) //' "/proc/$p/stat")
        t=$((t + f[11] + f[12]))
    done
    echo "$t"
}
TICK=$(getconf CLK_TCK)
# Sum of VmHWM (KiB) of the given processes.
peak_kib() {
    local t=0 p v
    for p in "$@"; do
        v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status")
        t=$((t + v))
    done
    echo "$t"
}

# ---- packages ---------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        note "installing ${missing[*]}"
        { apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
            { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; } \
            >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log" >&2; exit 2; }
    else
        echo "bench: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
        exit 2
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
START=$(date +%s)

# ---- 1. evaluation and memory per Lua state -------------------------------------------
if want eval; then
note "evaluation: Lua rules in a reused state vs a plain C award rule"
"$BENCH" eval "$RULES" "$EVAL_SECONDS" 5 >>"$ROWS"
fi

# ---- 2. HTTP under wrk, against nginx answering the same bytes --------------------------
HDB=$TMP/http.db
"$BIN" demo --db "$HDB" --rules "$RULES" >/dev/null
"$BIN" db backup "$TMP/hook.db" --db "$HDB" >/dev/null # the webhook benchmark's database
"$BIN" db backup "$TMP/docs.db" --db "$HDB" >/dev/null # the documents benchmark's
if want http; then
note "HTTP: labelcoop serve vs nginx under wrk (32 connections, ${WRK_SECONDS}s runs)"
serve_logged_in "$HDB" bench@labelcoop.test
GET_ID=$(sqlite3 "$HDB" "SELECT id FROM assessments WHERE organisation_id = 1 AND status <> 'draft' ORDER BY id LIMIT 1")
PUT_ID=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"kind":"self_assessment"}' "$BASE/organisations/1/assessments" |
    sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
CRITERION=$(sqlite3 "$HDB" "SELECT criterion FROM answers WHERE assessment_id = $GET_ID ORDER BY criterion LIMIT 1")
[ -n "$GET_ID" ] && [ -n "$PUT_ID" ] && [ -n "$CRITERION" ] || { echo "bench: no demo assessment" >&2; exit 1; }
GET_PATH=/api/v1/assessments/$GET_ID
PUT_PATH=/api/v1/assessments/$PUT_ID/answers/$CRITERION
PUT_BODY='{"status":"met","comment":"Vu en comité, statuts à jour.","evidence":["Statuts 2025"]}'
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$SERVE_PORT$GET_PATH" >"$TMP/get.body"
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "$PUT_BODY" "http://127.0.0.1:$SERVE_PORT$PUT_PATH" >"$TMP/put.body"

cat >"$TMP/get.lua" <<EOF
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF
cat >"$TMP/put.lua" <<EOF
wrk.method = "PUT"
wrk.body = [==[$PUT_BODY]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF

# nginx on a port of its own, answering the same bytes from memory.
NGX=$TMP/nginx
mkdir -p "$NGX"
NGINX_PORT=$("$BENCH" port)
lua5.4 "$HERE/nginx_conf.lua" "$NGX" "$NGINX_PORT" "$GET_PATH" "$TMP/get.body" \
    "$PUT_PATH" "$TMP/put.body" >"$NGX/nginx.conf"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" 2>>"$NGX/error.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT$GET_PATH" && break
    sleep 0.05
done
curl -sf "http://127.0.0.1:$NGINX_PORT$GET_PATH" | cmp -s - "$TMP/get.body" ||
    { echo "bench: nginx does not answer the same bytes" >&2; cat "$NGX/error.log" >&2; exit 1; }
NGINX_PIDS=("$NGINX_PID" $(pgrep -P "$NGINX_PID"))

# wrk_run SCRIPT URL PID... : runs wrk, prints "requests/s cpu-us-per-request".
wrk_run() {
    local script=$1 url=$2 before after out n rps bad
    shift 2
    before=$(cpu_ticks "$@")
    out=$(wrk -t2 -c32 -d"${WRK_SECONDS}s" -s "$script" "$url")
    after=$(cpu_ticks "$@")
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
    rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
    bad=$(echo "$out" | awk '/Non-2xx|Socket errors/ { $1 = $1; print }')
    [ -z "$bad" ] || note "wrk $url: $bad"
    echo "$rps $(calc "($after - $before) * 1000000 / $TICK / $n")"
}

# Each round runs labelcoop then nginx back to back: the ratios are the
# medians of the rounds' own ratios, so that what the machine does over a
# few seconds (nginx alone ranged from 43,000 to 74,000 requests/s between
# runs here) weighs on both sides of each.
declare -A RPS CPU RATIO CPU_RATIO
# warm-up: every worker opens its database connection and its Lua state
wrk -t2 -c32 -d1s -s "$TMP/get.lua" "http://127.0.0.1:$SERVE_PORT$GET_PATH" >/dev/null
wrk -t2 -c32 -d1s -s "$TMP/put.lua" "http://127.0.0.1:$SERVE_PORT$PUT_PATH" >/dev/null
for r in $(seq "$HTTP_ROUNDS"); do
    for what in get put; do
        path=$GET_PATH
        [ $what = put ] && path=$PUT_PATH
        read -r rps cpu < <(wrk_run "$TMP/$what.lua" "http://127.0.0.1:$SERVE_PORT$path" "$SERVE_PID")
        RPS[$what.lc]+="$rps " CPU[$what.lc]+="$cpu "
        read -r nrps ncpu < <(wrk_run "$TMP/$what.lua" "http://127.0.0.1:$NGINX_PORT$path" "${NGINX_PIDS[@]}")
        RPS[$what.ngx]+="$nrps " CPU[$what.ngx]+="$ncpu "
        RATIO[$what]+="$(calc "$rps / $nrps") " CPU_RATIO[$what]+="$(calc "$cpu / $ncpu") "
    done
done
for what in get put; do note "HTTP ${what^^}, labelcoop / nginx in each round: ${RATIO[$what]}"; done
SERVE_HWM=$(peak_kib "$SERVE_PID")
NGINX_HWM=$(peak_kib "${NGINX_PIDS[@]}")
stop "$SERVE_PID"
stop "$NGINX_PID"

for what in get put; do
    lc=$(median ${RPS[$what.lc]}) ngx=$(median ${RPS[$what.ngx]})
    lc_cpu=$(median ${CPU[$what.lc]}) ngx_cpu=$(median ${CPU[$what.ngx]})
    if [ $what = get ]; then
        name="HTTP GET /api/v1/assessments/{id}" target=">= 0.5 of nginx"
    else
        name="HTTP PUT /api/v1/assessments/{id}/answers/{criterion}" target=">= 0.25 of nginx"
    fi
    bytes=$(stat -c %s "$TMP/$what.body")
    # value and baseline_value: medians of each; ratio: the median of the rounds' ratios
    row "$name" "$lc" "requests/s" "nginx return 200, the same $bytes bytes, same rounds" "$ngx" \
        "$(median ${RATIO[$what]})" "$target"
    row "server CPU per request, ${what^^}" "$lc_cpu" "us/request" "nginx, same load, same rounds" \
        "$ngx_cpu" "$(median ${CPU_RATIO[$what]})" "report"
done
row "serve peak RSS (VmHWM) under the HTTP benchmark" "$(calc "$SERVE_HWM / 1024")" "MiB" \
    "nginx master and workers, same load" "$(calc "$NGINX_HWM / 1024")" \
    "$(calc "$SERVE_HWM / $NGINX_HWM")" "report"
fi

# ---- 3. what-if over 1,000 CAEs x 10 audits, and the report's SQL -----------------------
if want whatif; then
note "what-if: 1,000 CAEs x 10 audits x every criterion"
WDIR=$TMP/whatif
mkdir -p "$WDIR"
"$BIN" init --db "$WDIR/w.db" >/dev/null
"$BIN" rules activate --db "$WDIR/w.db" --rules "$RULES" --note bench >/dev/null
"$BIN" rules list --rules "$RULES" --format json >"$WDIR/criteria.json"
(cd "$WDIR" && sqlite3 w.db <"$HERE/whatif_data.sql" >/dev/null)
cp -r "$RULES" "$WDIR/candidate"
sed -i 's/^\(\s*recommended_threshold\s*=\s*\)[0-9.]*/\10.8/' "$WDIR/candidate/award.lua"
grep -q 'recommended_threshold = 0.8' "$WDIR/candidate/award.lua" ||
    { echo "bench: could not change recommended_threshold in award.lua" >&2; exit 1; }
ms() { echo $(($(date +%s%N) / 1000000)); }
WI=() SQL=() REP=()
for r in $(seq "$ROUNDS"); do
    t0=$(ms)
    "$BIN" whatif --db "$WDIR/w.db" --rules "$WDIR/candidate" --format json >"$WDIR/whatif.json"
    WI+=($(($(ms) - t0)))
    t0=$(ms)
    sqlite3 "$WDIR/w.db" <"$HERE/report.sql" >"$WDIR/report.txt"
    SQL+=($(($(ms) - t0)))
    t0=$(ms)
    "$BIN" report criteria-heatmap --db "$WDIR/w.db" --scripts "$ROOT/scripts" --format json \
        >"$WDIR/heatmap.json"
    REP+=($(($(ms) - t0)))
done
note "what-if: $(grep -c '"before"' "$WDIR/whatif.json" || true) of 1000 outcomes change"
wi=$(calc "$(median "${WI[@]}") / 1000")
row "what-if, 1000 CAEs x 10 audits" "$wi" "s" "time budget" 1 \
    "$(calc "$wi / 1")" "<= 1 (under 1 s)"
rep=$(median "${REP[@]}") sql=$(median "${SQL[@]}")
row "report criteria-heatmap over the same data" "$rep" "ms" \
    "equivalent SQL in the sqlite3 shell" "$sql" "$(calc "$rep / $sql")" "<= 1.5 of the SQL"
fi

# ---- 4. webhooks: the outbox on disk vs a bare libcurl multi loop -----------------------
if want hooks; then
note "webhooks: $HOOK_EVENTS deliveries per run, 64 in flight"
SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
"$BENCH" receiver --expect "$HOOK_EVENTS" >"$TMP/receiver.out" 2>&1 &
RX_PID=$!
PIDS+=("$RX_PID")
RX_URL=$(wait_for "$TMP/receiver.out" 'http://127\.0\.0\.1:[0-9]+')/
echo "$SECRET" | "$BIN" webhook add --db "$TMP/hook.db" --url "$RX_URL" --secret-stdin >/dev/null
WEBHOOK_ID=$(sqlite3 "$TMP/hook.db" "SELECT max(id) FROM webhooks")

# Waits for the receiver's Nth "done" line; prints its seconds.
batch_seconds() {
    local n=$1 i
    for i in $(seq 1800); do
        if [ "$(grep -c '^done' "$TMP/receiver.out")" -ge "$n" ]; then
            grep '^done' "$TMP/receiver.out" | sed -n "${n}p" | awk '{ print $3 }'
            return 0
        fi
        sleep 0.05
    done
    echo "bench: the receiver did not get every delivery" >&2
    return 1
}
HOOK=() BARE=() batch=0 HOOK_START=$(date +%s)
for r in $(seq "$ROUNDS"); do
    # a slow outbox gets fewer runs, so that the whole stays under 5 minutes
    [ "$r" = 1 ] || [ $(($(date +%s) - HOOK_START)) -lt 60 ] || break
    # The events and their deliveries are in the outbox before serve starts.
    sqlite3 "$TMP/hook.db" <<EOF
BEGIN;
CREATE TEMP TABLE mark AS SELECT coalesce(max(id), 0) AS id FROM events;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $HOOK_EVENTS)
INSERT INTO events (type, at, data)
  SELECT 'assessment.submitted', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
         json_object('kind', 'audit', 'outcome', 'eligible', 'organisation_id', 1,
                     'organisation', 'Coopérative Alpha', 'assessment_id', i)
  FROM n;
INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)
  SELECT $WEBHOOK_ID, id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), at
  FROM events WHERE id > (SELECT id FROM mark) ORDER BY id;
COMMIT;
EOF
    start_serve "$TMP/hook.db" --webhook-allow 127.0.0.1/32
    batch=$((batch + 1))
    s=$(batch_seconds $batch)
    HOOK+=("$(calc "$HOOK_EVENTS / $s")")
    stop "$SERVE_PID"
    pending=$(sqlite3 "$TMP/hook.db" "SELECT count(*) FROM deliveries WHERE state <> 'delivered'")
    [ "$pending" = 0 ] || note "webhooks: $pending deliveries not recorded as delivered"

    out=$("$BENCH" bare "$RX_URL" "$HOOK_EVENTS" 64 "$SECRET") || note "bare loop: $out"
    batch=$((batch + 1))
    s=$(batch_seconds $batch)
    BARE+=("$(calc "$HOOK_EVENTS / $s")")
done
stop "$RX_PID"
hook=$(median "${HOOK[@]}") bare=$(median "${BARE[@]}")
row "webhook deliveries, outbox on disk" "$hook" "deliveries/s" \
    "bare libcurl multi loop, 64 in flight, no outbox" "$bare" "$(calc "$hook / $bare")" ">= 0.25 of the bare loop"
fi

# ---- 5. documents: a 10 MiB upload through the API vs cp on the same disk ---------------
if want docs; then
note "documents: 10 MiB uploads through POST /organisations/{id}/documents vs cp + sync"
DOCS=$TMP/docs
mkdir -p "$DOCS/cp"
serve_logged_in "$TMP/docs.db" docs@labelcoop.test
ns() { date +%s%N; }
# New bytes each round, so that each upload stores its file anew as a first
# upload does: plain text (base64), the type libmagic takes longest to
# read, or a PDF (a header, then random bytes), the usual evidence document.
doc_bytes() {
    if [ "$1" = text ]; then
        { head -c 8000000 /dev/urandom | base64 -w 76 || true; } | head -c 10485760
    else
        printf '%%PDF-1.7\n'
        head -c 10485751 /dev/urandom
    fi
}
# copy_timed FILE COPY: cp, then sync of the copy (as the upload flushes its
# file before it answers); its time in seconds.
copy_timed() {
    local t0
    t0=$(ns)
    cp "$1" "$2" && sync "$2"
    calc "($(ns) - $t0) / 1e9"
}
# upload_timed FILE TYPE TITLE: one curl, checked stored; its time in seconds.
upload_timed() {
    local t0
    t0=$(ns)
    curl -sf -o "$DOCS/answer.json" -H "Authorization: Bearer $TOKEN" -F "file=@$1;type=$2" \
        -F "title=$3" "$BASE/organisations/1/documents" ||
        { echo "bench: the upload failed" >&2; cat "$TMP/serve.err" >&2; exit 1; }
    calc "($(ns) - $t0) / 1e9"
    grep -q "\"sha256\":\"$(sha256sum "$1" | cut -c1-64)\"" "$DOCS/answer.json" ||
        { echo "bench: the upload stored other bytes: $(cat "$DOCS/answer.json")" >&2; exit 1; }
}
# doc_round KIND TYPE R: one new file, copied and uploaded; their speeds
# and ratio go to UP_KIND, CP_KIND and RATIO_KIND. Each tool's start is
# counted: curl's is 8 ms here (against a server answering at once), cp's
# and sync's 4, beside 15 to 30 ms of copying or uploading. The two go
# first in turn, so that neither always follows the new file's own flush.
# (This machine's disk takes bursts of about 400 MiB, then writes at 200
# MiB/s: a run of rounds writes less than it gets back meanwhile.)
doc_round() {
    local kind=$1 type=$2 r=$3 file=$DOCS/up.$1 cp_s up_s
    doc_bytes "$kind" >"$file"
    sync "$file"
    if [ $((r % 2)) = 1 ]; then
        cp_s=$(copy_timed "$file" "$DOCS/cp/$kind.$r")
        up_s=$(upload_timed "$file" "$type" "Bench $kind $r")
    else
        up_s=$(upload_timed "$file" "$type" "Bench $kind $r")
        cp_s=$(copy_timed "$file" "$DOCS/cp/$kind.$r")
    fi
    eval "UP_$kind+=(\"$(calc "10 / $up_s")\") CP_$kind+=(\"$(calc "10 / $cp_s")\")"
    eval "RATIO_$kind+=(\"$(calc "$cp_s / $up_s")\")"
}
UP_text=() CP_text=() RATIO_text=() UP_pdf=() CP_pdf=() RATIO_pdf=()
# What a server does once, not for each upload (libmagic's database loaded,
# a worker's first request), done before the rounds.
doc_bytes pdf >"$DOCS/warm.pdf"
upload_timed "$DOCS/warm.pdf" application/pdf "Bench warm-up" >/dev/null
for r in $(seq "$DOC_ROUNDS"); do
    doc_round text text/plain "$r"
    doc_round pdf application/pdf "$r"
done
stop "$SERVE_PID"
note "documents, upload / cp in each round: text ${RATIO_text[*]}; PDF ${RATIO_pdf[*]}"
row "document upload, 10 MiB of text, POST /api/v1/organisations/{id}/documents" "$(median "${UP_text[@]}")" \
    "MiB/s" "cp of the same file on the same disk, then sync, same rounds" "$(median "${CP_text[@]}")" \
    "$(median "${RATIO_text[@]}")" ">= 0.5 of cp"
row "document upload, 10 MiB PDF, POST /api/v1/organisations/{id}/documents" "$(median "${UP_pdf[@]}")" \
    "MiB/s" "cp of the same file on the same disk, then sync, same rounds" "$(median "${CP_pdf[@]}")" \
    "$(median "${RATIO_pdf[@]}")" "reported"
fi

# ---- the figures ------------------------------------------------------------------
mkdir -p "$(dirname "$JSON")"
"$BENCH" report "$ROWS" "$JSON"
note "figures written to $JSON ($(($(date +%s) - START)) s)"
