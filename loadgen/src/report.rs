//! What a scenario run reports, as text and as one JSON line.

use serde::Serialize;

use crate::driver::Outcome;
use crate::stats::Latency;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    pub scenario: String,
    pub target: String,
    pub sessions: usize,
    pub failed_sessions: usize,
    pub duration_s: f64,
    /// Messages per second the senders were told to send (open loop).
    pub offered_msgs_per_s: f64,
    pub sent: u64,
    pub expected_deliveries: u64,
    pub delivered: u64,
    pub deliveries_per_s: f64,
    pub lost: u64,
    pub duplicated: u64,
    pub unexpected: u64,
    pub latency: Latency,
    pub acked: u64,
    pub acked_per_s: f64,
    pub ack_latency: Latency,
    pub connect_all_s: f64,
    pub connect_latency: Latency,
    pub rss_before_kib: Option<u64>,
    pub rss_ready_kib: Option<u64>,
    pub rss_per_session_kib: Option<f64>,
    pub history_latency: Option<Latency>,
    pub disconnects: u64,
    pub errors: Vec<(String, u64)>,
    pub first_connect_error: Option<String>,
}

impl Report {
    pub fn new(scenario: &str, target: &str, offered: f64, o: Outcome) -> Report {
        let duration_s = (o.end_us - o.start_us) as f64 / 1e6;
        // Deliveries that trail past the send window still count, over the
        // time they actually took.
        let span = o.m.last_delivery_us.saturating_sub(o.start_us) as f64 / 1e6;
        let connected = o.sessions - o.failed;
        let rss_per_session_kib = match (o.rss_before_kb, o.rss_ready_kb) {
            (Some(b), Some(r)) if connected > 0 => {
                Some(r.saturating_sub(b) as f64 / connected as f64)
            }
            _ => None,
        };
        let mut errors: Vec<_> = o.m.errors.into_iter().collect();
        errors.sort();
        Report {
            scenario: scenario.into(),
            target: target.into(),
            sessions: o.sessions,
            failed_sessions: o.failed,
            duration_s,
            offered_msgs_per_s: offered,
            sent: o.sent,
            expected_deliveries: o.expected,
            delivered: o.m.delivered,
            deliveries_per_s: o.m.delivered as f64 / span.max(duration_s).max(1e-9),
            lost: o.m.lost,
            duplicated: o.m.duplicates,
            unexpected: o.m.unexpected,
            latency: o.m.latency.summary(),
            acked: o.m.acked,
            acked_per_s: o.m.acked_in_window as f64 / duration_s.max(1e-9),
            ack_latency: o.m.ack_latency.summary(),
            connect_all_s: o.connect_all.as_secs_f64(),
            connect_latency: o.m.connect.summary(),
            rss_before_kib: o.rss_before_kb,
            rss_ready_kib: o.rss_ready_kb,
            rss_per_session_kib,
            history_latency: o.side.map(|h| h.summary()),
            disconnects: o.m.disconnects,
            errors,
            first_connect_error: o.first_error,
        }
    }

    /// True when nothing went missing, twice or astray.
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.unexpected == 0 && self.failed_sessions == 0
    }

    pub fn print(&self) {
        println!("== {} against {}", self.scenario, self.target);
        println!(
            "   sessions {} ({} failed{}), all ready in {:.3}s; connect {}",
            self.sessions,
            self.failed_sessions,
            self.first_connect_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default(),
            self.connect_all_s,
            self.connect_latency
        );
        if self.sent > 0 {
            println!(
                "   offered {:.0} msg/s for {:.1}s: sent {}, deliveries {}/{} ({:.0}/s), lost {}, duplicated {}, unexpected {}",
                self.offered_msgs_per_s,
                self.duration_s,
                self.sent,
                self.delivered,
                self.expected_deliveries,
                self.deliveries_per_s,
                self.lost,
                self.duplicated,
                self.unexpected
            );
            println!("   delivery latency {}", self.latency);
            println!(
                "   acked {} ({:.0}/s within the window); ack latency {}",
                self.acked, self.acked_per_s, self.ack_latency
            );
        }
        if let Some(per) = self.rss_per_session_kib {
            println!(
                "   server RSS {} KiB idle → {} KiB with all sessions: {per:.1} KiB per session",
                self.rss_before_kib.unwrap_or(0),
                self.rss_ready_kib.unwrap_or(0)
            );
        }
        if let Some(h) = &self.history_latency {
            println!("   history reads {h}");
        }
        if self.disconnects > 0 || !self.errors.is_empty() {
            println!(
                "   disconnects {}, error frames {:?}",
                self.disconnects, self.errors
            );
        }
    }
}

/// Prints microchat's numbers as a fraction of the bare server's.
pub fn print_ratio(bare: &Report, chat: &Report) {
    let r = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    println!("== ratio microchat / bare ({})", chat.scenario);
    if chat.sent > 0 {
        println!(
            "   deliveries/s {:.3}, acked/s {:.3}, p50 {:.2}x, p99 {:.2}x",
            r(chat.deliveries_per_s, bare.deliveries_per_s),
            r(chat.acked_per_s, bare.acked_per_s),
            r(chat.latency.p50_ms, bare.latency.p50_ms),
            r(chat.latency.p99_ms, bare.latency.p99_ms),
        );
    }
    println!(
        "   time to all ready {:.2}x",
        r(chat.connect_all_s, bare.connect_all_s)
    );
    if let (Some(c), Some(b)) = (chat.rss_per_session_kib, bare.rss_per_session_kib) {
        println!("   RSS per session {:.2}x", r(c, b));
    }
    if let (Some(c), Some(b)) = (&chat.history_latency, &bare.history_latency) {
        println!("   history p99 {:.2}x", r(c.p99_ms, b.p99_ms));
    }
}
