#!/usr/bin/env bash
# The cluster tests (tests/api/cluster/): nginx in front of real microchat
# processes sharing a fresh PostgreSQL database and Redis. Installs nginx
# (Debian package) when it is missing; needs PostgreSQL and Redis running.
#
#   tests/cluster/run.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx
fi

export MICROCHAT_TEST_CLUSTER=1
export MICROCHAT_TEST_DATABASE_URL="${MICROCHAT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export MICROCHAT_TEST_REDIS_URL="${MICROCHAT_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
cargo test --test api cluster:: "$@"
