#!/usr/bin/env bash
# valgrind --leak-check=full on `evaluate`, `rules check` and a short `serve`
# session (login, reads, a write, an HTML report, SIGTERM): no leak of any
# kind and no invalid access, or the test fails with valgrind's report.
set -euo pipefail
BIN=${LABELCOOP_BIN:?}
ROOT=${LABELCOOP_ROOT:?}
TMP=$(mktemp -d)
SERVE_PID=
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

VG=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --track-fds=no)

# check LOG NAME: valgrind's verdict in LOG must be clean.
check() {
    if ! grep -q "ERROR SUMMARY: 0 errors" "$1"; then
        echo "valgrind: $2 is not clean:" >&2
        cat "$1" >&2
        exit 1
    fi
    echo "valgrind: $2 clean ($(grep -o 'total heap usage: .*' "$1"))"
}

"${VG[@]}" --log-file="$TMP/evaluate.vg" "$BIN" evaluate --rules "$ROOT/rules" \
    --answers "$ROOT/tests/functional/data/audit-eligible.json" >/dev/null
check "$TMP/evaluate.vg" evaluate
"${VG[@]}" --log-file="$TMP/check.vg" "$BIN" rules check --rules "$ROOT/rules" >/dev/null
check "$TMP/check.vg" "rules check"

DB=$TMP/vg.db
"$BIN" demo --db "$DB" --rules "$ROOT/rules" >/dev/null
PASSWORD=vg-$RANDOM$RANDOM
echo "$PASSWORD" | "$BIN" user add --db "$DB" --email vg@labelcoop.test --name Valgrind \
    --role admin --password-stdin >/dev/null
# the audit's auditor: only they write its findings
AUDITOR=$(echo "$PASSWORD" | "$BIN" user add --db "$DB" --email vg-auditor@labelcoop.test \
    --name "Auditeur Valgrind" --role auditor --certified-until 2099-12-31 --password-stdin |
    awk '{print $NF}')
"${VG[@]}" --log-file="$TMP/serve.vg" "$BIN" serve --db "$DB" --rules "$ROOT/rules" \
    --web "$ROOT/web" --plugins "$ROOT/plugins" --scripts "$ROOT/scripts" --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
for _ in $(seq 600); do
    grep -q "listening on" "$TMP/serve.out" 2>/dev/null && break
    sleep 0.1
done
BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$TMP/serve.out")/api/v1
# login EMAIL: a bearer token, or the test fails
login() {
    local token
    token=$(curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/session" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$token" ] || { echo "valgrind: login of $1 failed" >&2; cat "$TMP/serve.err" >&2; exit 1; }
    echo "$token"
}
TOKEN=$(login vg@labelcoop.test)
AUTH=(-H "Authorization: Bearer $TOKEN")
for path in me organisations assessments labels referential rulesets webhooks plugins \
    assessments/1 assessments/1 assessments/1/evaluation good-practices reports; do
    curl -sf "${AUTH[@]}" "$BASE/$path" >/dev/null || { echo "valgrind: GET $path failed" >&2; exit 1; }
done
curl -sf "${AUTH[@]}" -X POST -H 'Content-Type: application/json' \
    -d '{"name":"CAE Valgrind","legal_form":"SCOP","city":"Lyon","region":"ARA","member_since":"2020-01-01"}' \
    "$BASE/organisations" >/dev/null
curl -sf "${AUTH[@]}" "$BASE/reports/network-overview?format=html" >/dev/null
# an audit, an answer through the group commit, its auditor kept and refused
AUDIT=$(curl -sf "${AUTH[@]}" -X POST -H 'Content-Type: application/json' \
    -d "{\"kind\":\"audit\",\"auditor_id\":$AUDITOR}" "$BASE/organisations/1/assessments" |
    sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$AUDIT" ] || { echo "valgrind: no audit opened" >&2; exit 1; }
curl -sf -H "Authorization: Bearer $(login vg-auditor@labelcoop.test)" -X PUT \
    -H 'Content-Type: application/json' -d '{"status":"met","comment":"Vu","evidence":["PV"]}' \
    "$BASE/assessments/$AUDIT/answers/JF-01" >/dev/null ||
    { echo "valgrind: the auditor's answer PUT failed" >&2; exit 1; }
for body in "{\"auditor_id\":$AUDITOR}" '{"auditor_id":1}'; do
    curl -s -o /dev/null "${AUTH[@]}" -X PATCH -H 'Content-Type: application/json' -d "$body" \
        "$BASE/assessments/$AUDIT"
done
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || true
SERVE_PID=
check "$TMP/serve.vg" "serve session"
