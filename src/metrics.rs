//! Prometheus metrics, rendered in the text format at `/metrics`.

use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    /// Open WebSocket sessions.
    pub ws_sessions: IntGauge,
    /// Bytes waiting in WebSocket outboxes (each bounded by its budget).
    pub ws_queued_bytes: IntGauge,
    /// WebSocket closes by close code (4008: a reader fell too far behind).
    ws_closes: IntCounterVec,
    /// Messages per group-commit transaction.
    commit_batch: Histogram,
    commit_seconds: Histogram,
    messages_stored: IntCounter,
    /// The bus between instances (Redis pub/sub).
    pub bus: BusMetrics,
}

/// How the bus between instances is doing.
pub struct BusMetrics {
    /// Publish-to-apply delay of other instances' events.
    pub lag: Histogram,
    /// Subscriptions re-established after a loss.
    pub reconnects: IntCounter,
    /// Messages delivered from the database after an outage (missed on the bus).
    pub replayed: IntCounter,
    /// Users with a session on this instance.
    presence_local: IntGauge,
    /// Users online only as far as other instances say.
    presence_remote: IntGauge,
    /// Other instances heard from within the presence TTL.
    instances: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("microchat".into()), None).expect("valid prefix");
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            ),
            &["route"],
        )
        .expect("valid metric");
        let ws_sessions =
            IntGauge::new("ws_sessions", "Open WebSocket sessions").expect("valid metric");
        let ws_queued_bytes = IntGauge::new(
            "ws_queued_bytes",
            "Bytes queued for WebSocket clients, not yet written",
        )
        .expect("valid metric");
        let ws_closes = IntCounterVec::new(
            Opts::new(
                "ws_closes_total",
                "WebSocket close frames sent, by close code",
            ),
            &["code"],
        )
        .expect("valid metric");
        let commit_batch = Histogram::with_opts(
            HistogramOpts::new(
                "history_batch_size",
                "Messages per group-commit transaction",
            )
            .buckets(vec![
                1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
            ]),
        )
        .expect("valid metric");
        let commit_seconds = Histogram::with_opts(HistogramOpts::new(
            "history_commit_seconds",
            "Time to write and commit one batch",
        ))
        .expect("valid metric");
        let messages_stored = IntCounter::new(
            "messages_stored_total",
            "Sends committed (including idempotent replays)",
        )
        .expect("valid metric");
        registry
            .register(Box::new(http_requests.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(http_duration.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(ws_sessions.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(ws_queued_bytes.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(ws_closes.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(commit_batch.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(commit_seconds.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(messages_stored.clone()))
            .expect("unique metric");
        let bus = BusMetrics::register(&registry);
        Metrics {
            registry,
            http_requests,
            http_duration,
            ws_sessions,
            ws_queued_bytes,
            ws_closes,
            commit_batch,
            commit_seconds,
            messages_stored,
            bus,
        }
    }

    /// Presence as the hub sees it.
    pub fn observe_presence(&self, local_users: usize, instances: usize, remote_users: usize) {
        self.bus.presence_local.set(local_users as i64);
        self.bus.instances.set(instances as i64);
        self.bus.presence_remote.set(remote_users as i64);
    }

    /// `route` is the matched pattern (`/api/v1/users/{id}`), never the raw
    /// path, so label cardinality stays bounded.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// `code` comes from a fixed set (the session's close codes), so label
    /// cardinality stays bounded.
    pub fn observe_close(&self, code: u16) {
        self.ws_closes.with_label_values(&[&code.to_string()]).inc();
    }

    pub fn observe_commit(&self, batch: usize, elapsed: Duration) {
        self.commit_batch.observe(batch as f64);
        self.commit_seconds.observe(elapsed.as_secs_f64());
        self.messages_stored.inc_by(batch as u64);
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl BusMetrics {
    fn register(registry: &Registry) -> BusMetrics {
        let lag = Histogram::with_opts(
            HistogramOpts::new(
                "bus_lag_seconds",
                "Delay from another instance publishing an event to this one applying it",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
        )
        .expect("valid metric");
        let reconnects = IntCounter::new(
            "bus_reconnects_total",
            "Redis subscriptions re-established after a loss",
        )
        .expect("valid metric");
        let replayed = IntCounter::new(
            "bus_replayed_messages_total",
            "Messages delivered from the database after a bus outage",
        )
        .expect("valid metric");
        let presence_local = IntGauge::new(
            "presence_local_users",
            "Users with a session on this instance",
        )
        .expect("valid metric");
        let presence_remote = IntGauge::new(
            "presence_remote_users",
            "Users online on other instances, as their heartbeats tell",
        )
        .expect("valid metric");
        let instances = IntGauge::new(
            "bus_instances",
            "Other instances heard from within the presence TTL",
        )
        .expect("valid metric");
        for metric in [&reconnects, &replayed] {
            registry
                .register(Box::new(metric.clone()))
                .expect("unique metric");
        }
        for metric in [&presence_local, &presence_remote, &instances] {
            registry
                .register(Box::new(metric.clone()))
                .expect("unique metric");
        }
        registry
            .register(Box::new(lag.clone()))
            .expect("unique metric");
        BusMetrics {
            lag,
            reconnects,
            replayed,
            presence_local,
            presence_remote,
            instances,
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
