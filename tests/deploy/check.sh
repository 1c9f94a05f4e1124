#!/usr/bin/env bash
# Checks the deployment files without running them:
#   - docker-compose.yml is valid (`docker compose config`, or Debian's
#     docker-compose) and gives every instance the same JWT secret;
#   - deploy/prometheus: the config and rules load, and the alert rules' unit
#     tests pass (promtool, from Debian's prometheus package);
#   - deploy/grafana/microchat.json parses, every query in it is valid PromQL,
#     and every microchat_* metric the dashboard and the alerts name is one
#     src/metrics.rs registers.
# Installs what is missing from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '=== %s\n' "$*"; }
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
command -v promtool >/dev/null 2>&1 || apt_install prometheus
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
  compose=(docker-compose)
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log "${compose[*]} config"
secret="compose-check-secret-0123456789abcdef"
MICROCHAT_JWT_SECRET="$secret" "${compose[@]}" -f docker-compose.yml config >"$TMP/compose.yml"
# Both instances, one secret: tokens signed by one must verify on the other.
count="$(grep -c "MICROCHAT_JWT_SECRET: $secret" "$TMP/compose.yml" || true)"
[ "$count" = 2 ] || {
  echo "expected the JWT secret in both microchat services, found it $count times" >&2
  exit 1
}
if MICROCHAT_JWT_SECRET= "${compose[@]}" -f docker-compose.yml config >/dev/null 2>&1; then
  echo "docker-compose.yml starts without MICROCHAT_JWT_SECRET" >&2
  exit 1
fi

log "promtool"
(cd deploy/prometheus && promtool check config prometheus.yml && promtool test rules alerts.test.yml)

log "Grafana dashboard"
python3 - deploy/grafana/microchat.json "$TMP/queries.yml" <<'EOF'
import json, sys
dash = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
assert exprs, "no queries"
# Grafana's variables, replaced by values Prometheus accepts.
for a, b in (("$__rate_interval", "1m"), ("$job", ".*"), ("$instance", ".*")):
    exprs = [e.replace(a, b) for e in exprs]
rules = [{"record": f"dashboard:query_{i}", "expr": e} for i, e in enumerate(exprs)]
# JSON is YAML: promtool reads it as a rules file.
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"))
print(f"{len(exprs)} queries")
EOF
promtool check rules "$TMP/queries.yml"

names="$(grep -ohE 'microchat_[a-z_]+' deploy/grafana/microchat.json deploy/prometheus/alerts.yml |
  sed -E 's/_(bucket|sum|count)$//' | sort -u)"
for name in $names; do
  grep -q "\"${name#microchat_}\"" src/metrics.rs || {
    echo "$name is not a metric src/metrics.rs registers" >&2
    exit 1
  }
done
echo "metrics named: $(echo "$names" | tr '\n' ' ')"
log "deployment files check out"
