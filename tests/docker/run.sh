#!/usr/bin/env bash
# The Docker image, tested for real: build it from the Dockerfile users run,
# then run it as a user would.
#
#   - the image adds at most 50 MB to its base;
#   - `docker run` with a named volume: sign up, log in, create a chat, send;
#     the process is not root; the health check passes;
#   - `docker restart`: the message is still there;
#   - `docker stop` during a burst of sends exits 0 within the 10 s grace, and
#     every send answered 201 is in the history after starting again.
#
# Starts dockerd if none runs, and makes stand-ins for the base images when
# the real ones are absent (tests/docker/base-images.sh). Installs what is
# missing (docker.io, debootstrap) from Debian's packages. Cleans up every
# container and volume it made.
#
#   tests/docker/run.sh                  # MICROCHAT_DOCKER_IMAGE=… to name the image
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE="${MICROCHAT_DOCKER_IMAGE:-microchat:test}"
MAX_ADDED_MB=50
NAME="microchat-test-$$"
VOLUME="microchat-test-$$"
TMP="$(mktemp -d)"

log() { printf '=== %s\n' "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  docker logs --tail 40 "$NAME" >&2 2>&1 || true
  exit 1
}

cleanup() {
  docker rm -f "$NAME" >/dev/null 2>&1 || true
  docker volume rm "$VOLUME" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_docker() {
  if docker info >/dev/null 2>&1; then return; fi
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  log "starting dockerd"
  # No systemd here: dockerd in the background, logging to a file. It
  # outlives this script so that later runs reuse its image cache.
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  tail -n 20 /var/log/dockerd.log >&2
  fail "dockerd did not start"
}

# The published host port of the container's 8080 (it changes on restart).
base_url() {
  local port
  port="$(docker port "$NAME" 8080/tcp | head -n1 | sed 's/.*://')"
  echo "http://127.0.0.1:$port"
}

wait_ready() {
  local url
  for _ in $(seq 1 60); do
    if [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" != true ]; then
      fail "the container stopped"
    fi
    url="$(base_url)"
    if curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; then
      echo "$url"
      return
    fi
    sleep 1
  done
  fail "the server did not become ready"
}

ensure_docker
command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
command -v curl >/dev/null 2>&1 || apt_install curl
tests/docker/base-images.sh

log "docker build -t $IMAGE ."
start=$(date +%s)
docker build -q -t "$IMAGE" . >/dev/null
log "built in $(($(date +%s) - start)) s"

base="$(awk 'toupper($1) == "FROM" { image = $2 } END { print image }' Dockerfile)"
image_bytes="$(docker image inspect -f '{{.Size}}' "$IMAGE")"
base_bytes="$(docker image inspect -f '{{.Size}}' "$base")"
added_mb=$(((image_bytes - base_bytes) / 1000000))
log "image $((image_bytes / 1000000)) MB: $base $((base_bytes / 1000000)) MB + $added_mb MB"
[ "$added_mb" -le "$MAX_ADDED_MB" ] || fail "the image adds $added_mb MB to its base (at most $MAX_ADDED_MB)"

log "docker run with volume $VOLUME"
# Loopback only, on a free port. The health check runs every 2 s here instead
# of 15 s so the test need not wait; the command is the image's own.
docker run -d --name "$NAME" -p 127.0.0.1::8080 -v "$VOLUME:/data" \
  --health-interval 2s "$IMAGE" >/dev/null
url="$(wait_ready)"
python3 tests/docker/client.py setup "$url" "$TMP/state.json"

uid="$(docker exec "$NAME" id -u)"
[ "$uid" != 0 ] || fail "the server runs as root"
log "the server runs as uid $uid"
for _ in $(seq 1 30); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$NAME")"
  [ "$health" = healthy ] && break
  sleep 1
done
[ "$health" = healthy ] || fail "health status is $health"
log "health check: $health"

log "docker restart"
docker restart "$NAME" >/dev/null
url="$(wait_ready)"
python3 tests/docker/client.py find "$url" "$TMP/state.json"

log "docker stop during a burst of sends"
: >"$TMP/acked"
python3 tests/docker/client.py burst "$url" "$TMP/state.json" "$TMP/acked" &
burst=$!
for _ in $(seq 1 100); do
  [ "$(wc -l <"$TMP/acked")" -ge 50 ] && break
  sleep 0.1
done
start=$(date +%s%N)
docker stop "$NAME" >/dev/null
stopped_ms=$((($(date +%s%N) - start) / 1000000))
wait "$burst" || fail "the burst client failed"
code="$(docker inspect -f '{{.State.ExitCode}}' "$NAME")"
log "stopped in $stopped_ms ms with exit code $code"
[ "$code" = 0 ] || fail "exit code $code after docker stop (137 means it was killed)"
[ "$stopped_ms" -lt 10000 ] || fail "docker stop took $stopped_ms ms"

docker start "$NAME" >/dev/null
url="$(wait_ready)"
python3 tests/docker/client.py check "$url" "$TMP/state.json" "$TMP/acked"

if docker logs "$NAME" 2>&1 | grep -E 'panicked|level=ERROR'; then
  fail "the server logged errors"
fi

log "docker image test passed"
