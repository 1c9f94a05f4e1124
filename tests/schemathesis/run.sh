#!/usr/bin/env bash
# schemathesis against a live microchat, driven by the server's own
# OpenAPI document (GET /api/v1/openapi.json): every operation fuzzed with
# generated valid and invalid input for a bounded time. Fails on any 5xx,
# on a status the document does not list for the operation, and on a body
# that does not match the document (errors: the contract's shape).
#
#   tests/schemathesis/run.sh              # what CI runs
#   MAX_EXAMPLES=200 TIME_LIMIT=900 SEED=$RANDOM tests/schemathesis/run.sh
#   FUZZ_DATABASE_URL=postgres://postgres@127.0.0.1:5432/empty_db tests/schemathesis/run.sh
#
# The server is a debug build (cargo build) on a free port with a temp SQLite
# database. Its abuse limits are raised by flags, as benchmarks do: a fuzzer
# sends thousands of requests as one user from one address, and a 429 there
# would only hide the operations behind it.
set -euo pipefail
cd "$(dirname "$0")/../.."

MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
TIME_LIMIT="${TIME_LIMIT:-300}"
# Fixed by default so CI is repeatable; SEED=$RANDOM explores.
SEED="${SEED:-1}"
BIN="${MICROCHAT_BIN:-target/debug/microchat}"
# Who fuzzes: `user`, or `admin` to reach the admin operations too.
ROLE="${FUZZ_ROLE:-user}"
# An empty database to fuzz on (the seeded ids assume one); default a temp SQLite file.
DATABASE_URL="${FUZZ_DATABASE_URL:-}"

log() { printf '\n=== %s\n' "$*"; }

# Version 4 (its config's dictionaries are used below); run as a module so a
# pip that installs scripts off PATH does not matter.
have_schemathesis() {
  python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("schemathesis").split(".")[0] != "4")' \
    2>/dev/null
}

ensure_schemathesis() {
  if have_schemathesis; then return; fi
  log "installing schemathesis"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip
  fi
  # Debian's python refuses a global pip install without the flag.
  python3 -m pip install -q 'schemathesis>=4,<5' 2>/dev/null ||
    python3 -m pip install -q --break-system-packages 'schemathesis>=4,<5'
  have_schemathesis
}

ensure_schemathesis
command -v curl >/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl
}
[ -n "${MICROCHAT_BIN:-}" ] || cargo build -q --bin microchat

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log "starting microchat on $base"
"$BIN" serve --database-url "${DATABASE_URL:-sqlite://$work/fuzz.db}" --bind "127.0.0.1:$port" \
  --files-dir "$work/files" --jwt-secret "schemathesis-secret-schemathesis-secret" \
  --access-token-ttl 3600 \
  --auth-rate-per-minute 1000000 --login-failures-per-account 1000000 \
  --login-failures-per-account-total 1000000 --chats-per-hour 1000000 \
  --member-adds-per-hour 1000000 --ws-send-rate 100000 --ws-send-burst 100000 \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

# POST a JSON body as the fuzzing user; prints the answer.
api() {
  curl -fsS -X POST "$base$1" -H 'Content-Type: application/json' \
    ${token:+-H "Authorization: Bearer $token"} -d "$2"
}
token=""
for name in fuzzer buddy; do
  api /api/v1/auth/register \
    "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"fuzz-pass-1234\"}" >/dev/null
done
if [ "$ROLE" = admin ]; then
  "$BIN" user set-role fuzzer admin --database-url "${DATABASE_URL:-sqlite://$work/fuzz.db}" >/dev/null
fi
token=$(api /api/v1/auth/login '{"login":"fuzzer","password":"fuzz-pass-1234"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
api /api/v1/chats '{"name":"fuzz","members":["buddy"],"public":true}' >/dev/null
api /api/v1/chats/1/messages '{"body":"hello @buddy","client_id":"seed"}' >/dev/null

log "schemathesis as $ROLE: $MAX_EXAMPLES examples per operation, at most $TIME_LIMIT s, seed $SEED"
status=0
timeout --kill-after=10 "$TIME_LIMIT" \
  python3 -m schemathesis.cli --config-file tests/schemathesis/schemathesis.toml run "$base/api/v1/openapi.json" \
  --url "$base" -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 --no-color \
  --report junit --report-dir "$work/report" || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 124 ] && echo "schemathesis did not finish within $TIME_LIMIT s" >&2
  echo "--- server log (last 40 lines)" >&2
  tail -n 40 "$work/server.log" >&2
  exit "$status"
fi
# Hand the junit totals to whoever reads the log: "N passed, N failed".
python3 - "$work/report" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
tests = failures = 0
for f in pathlib.Path(sys.argv[1]).glob("*.xml"):
    for suite in ET.parse(f).getroot().iter("testsuite"):
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
print(f"schemathesis: {tests - failures} passed, {failures} failed")
PY
