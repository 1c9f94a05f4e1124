#!/usr/bin/env bash
# Makes local stand-ins for the Dockerfile's base images, only for those that
# are absent: on a machine that can pull from Docker Hub (or already has the
# real images) it does nothing, and the Dockerfile is the one users run.
#
#   - the runtime base (the last FROM, debian:bookworm-slim): a debootstrap
#     --variant=minbase bookworm, imported with `docker import`;
#   - the build base (the first FROM, rust:…-bookworm): the same, plus gcc and
#     libc6-dev, this machine's own Rust toolchain (`rustc --print sysroot`),
#     and this machine's local CA certificates, because crates.io may be
#     reached through a TLS proxy whose CA only the host trusts.
#
# Each stand-in is tagged exactly as the Dockerfile's FROM names it.
# Needs root, debootstrap, a Docker engine and Debian's package mirror.
set -euo pipefail
cd "$(dirname "$0")/../.."

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
WORK="${MICROCHAT_DOCKER_WORK:-/var/tmp/microchat-docker}"
# Kept between runs: debootstrap's downloaded packages.
CACHE="$WORK/debs"

mapfile -t froms < <(awk 'toupper($1) == "FROM" { print $2 }' Dockerfile)
BUILD_IMAGE="${froms[0]}"
RUNTIME_IMAGE="${froms[${#froms[@]} - 1]}"

log() { printf '=== %s\n' "$*"; }
present() { docker image inspect "$1" >/dev/null 2>&1; }

# debootstrap DIR [--include=…]: a minimal bookworm with the same apt sources
# as the real image (main, updates, security) and an empty apt cache.
bootstrap() {
  local dir="$1"
  shift
  rm -rf "$dir"
  mkdir -p "$dir" "$CACHE"
  debootstrap --variant=minbase --cache-dir="$CACHE" "$@" "$SUITE" "$dir" "$MIRROR" \
    >"$dir.log" 2>&1 || {
    tail -n 30 "$dir.log" >&2
    return 1
  }
  rm -f "$dir/etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${MIRROR}
Suites: ${SUITE} ${SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: ${SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # What Debian's official images set, so that a layer that installs
  # packages does not keep APT's caches, and index files stay compressed.
  cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::GzipIndexes "true";' >"$dir/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Acquire::Languages "none";' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
  echo 'APT::AutoRemove::SuggestsImportant "false";' >"$dir/etc/apt/apt.conf.d/docker-autoremove-suggests"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin
}

# What makes the official image "slim": no documentation, manual pages or
# translations, neither now nor from packages installed later.
slim() {
  local dir="$1"
  cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  find "$dir/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$dir"/usr/share/{groff,info,linda,locale,man}/* "$dir"/usr/share/lintian/overrides/*
}

make_runtime() {
  log "making a stand-in for $RUNTIME_IMAGE (debootstrap $SUITE)"
  local dir="$WORK/slim"
  bootstrap "$dir"
  slim "$dir"
  tar -C "$dir" -c . | docker import -c 'CMD ["bash"]' - "$RUNTIME_IMAGE" >/dev/null
  rm -rf "$dir"
}

make_build() {
  log "making a stand-in for $BUILD_IMAGE (debootstrap $SUITE + this machine's Rust toolchain)"
  local dir="$WORK/rust" sysroot
  sysroot="$(rustc --print sysroot)"
  bootstrap "$dir" --include=ca-certificates,gcc,libc6-dev,make,pkg-config
  # The toolchain, without its HTML docs (800 MB); where the real image keeps it.
  mkdir -p "$dir/usr/local/rustup" "$dir/usr/local/cargo/bin"
  tar -C "$sysroot" --exclude=./share/doc -c . | tar -C "$dir/usr/local/rustup" -x
  for tool in "$dir"/usr/local/rustup/bin/*; do
    ln -s "../../rustup/bin/$(basename "$tool")" "$dir/usr/local/cargo/bin/"
  done
  # The host's local CAs, and the bundle generated from them.
  if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
    cp -r /usr/local/share/ca-certificates/. "$dir/usr/local/share/ca-certificates/"
  fi
  cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
  tar -C "$dir" -c . | docker import \
    -c 'ENV CARGO_HOME=/usr/local/cargo' \
    -c 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' - "$BUILD_IMAGE" >/dev/null
  rm -rf "$dir"
}

if present "$RUNTIME_IMAGE"; then
  log "$RUNTIME_IMAGE is present"
else
  make_runtime
fi
if present "$BUILD_IMAGE"; then
  log "$BUILD_IMAGE is present"
else
  make_build
fi
