# The microchat server as a container: SQLite in the /data volume by default,
# PostgreSQL and Redis by setting MICROCHAT_DATABASE_URL / MICROCHAT_REDIS_URL.
#
#   docker build -t microchat .
#   docker run -d -p 8080:8080 -v microchat-data:/data \
#     -e MICROCHAT_PUBLIC_URL=https://chat.example.com microchat
#
# The refresh cookie is `Secure`: serve it behind a TLS proxy (and set
# MICROCHAT_PUBLIC_URL to the address browsers use), or add
# -e MICROCHAT_INSECURE_DEV=true to try it over plain HTTP on another machine.

FROM rust:1-bookworm AS build
# libpq for diesel's PostgreSQL backend (SQLite is compiled in).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The release profile keeps line tables for backtraces on a developer's
# machine; the image ships a stripped binary (11 MB instead of 81 MB).
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true

# Dependencies first, in their own layer, rebuilt only when the manifests or
# the lock file change. loadgen is a workspace member that the image does not
# build: cargo only needs its manifest and a target to exist.
COPY Cargo.toml Cargo.lock ./
COPY loadgen/Cargo.toml loadgen/
RUN mkdir -p src loadgen/src \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > loadgen/src/main.rs \
    && cargo build --release --locked -p microchat --bin microchat \
    && rm -rf src target/release/.fingerprint/microchat-* target/release/deps/*microchat*

COPY src src
COPY migrations migrations
COPY static static
RUN cargo build --release --locked -p microchat --bin microchat \
    && cp target/release/microchat /usr/local/bin/microchat

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 microchat \
    && useradd --system --uid 10001 --gid microchat --home-dir /data --no-create-home microchat \
    && mkdir /data && chown microchat:microchat /data
COPY --from=build /usr/local/bin/microchat /usr/local/bin/microchat
# Numeric, so orchestrators that insist on a non-root user can verify it.
USER 10001:10001
WORKDIR /data
ENV MICROCHAT_BIND=0.0.0.0:8080 \
    MICROCHAT_DATABASE_URL=sqlite:///data/microchat.db
EXPOSE 8080
VOLUME /data
# SIGTERM drains: pending sends are committed and acked, sockets close with
# 1001, in-flight requests finish; well inside `docker stop`'s 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["microchat", "healthcheck"]
ENTRYPOINT ["microchat"]
CMD ["serve"]
