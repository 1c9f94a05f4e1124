# Build: docker build -t microchat .
# Run:   docker run -p 8080:8080 -v microchat-data:/data microchat
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY static static
RUN cargo build --release --locked --bin microchat

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data microchat && mkdir /data && chown microchat /data
COPY --from=build /src/target/release/microchat /usr/local/bin/microchat
USER microchat
WORKDIR /data
ENV MICROCHAT_BIND=0.0.0.0:8080 \
    MICROCHAT_DATABASE_URL=sqlite:///data/microchat.db
EXPOSE 8080
VOLUME /data
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["microchat"]
CMD ["serve"]
