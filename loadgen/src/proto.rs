//! The few WebSocket frames of API.md the load generator speaks, and the
//! message body that carries a probe: `lg <sender> <seq> <scheduled_us>`.
//!
//! Incoming frames are scanned, not deserialised: at hundreds of thousands of
//! deliveries a second a full JSON parse per frame would make the load
//! generator, not the server, the bottleneck. Only our own probe bodies (no
//! quotes, no escapes) are read, so a substring scan is exact.

use std::fmt::Write;

/// What a received text frame is, as far as the measurements care.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Ready,
    Message(Probe),
    Ack(Probe),
    /// A `message` or `ack` whose body is not one of ours.
    Foreign,
    Error(String),
    Other,
}

/// The measurement data a load-generator message body carries.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Probe {
    pub sender: u32,
    pub seq: u64,
    /// When the send was scheduled, in µs since the run's epoch.
    pub scheduled_us: u64,
}

/// A `send` frame carrying a probe. `client_id` makes sends idempotent per
/// user, and users are reused across runs (`--users-file`), so it carries the
/// run's nonce: otherwise the server rightly answers a later run's send with
/// the earlier run's stored message and delivers nothing.
pub fn send_frame(run: u64, chat_id: i64, probe: Probe) -> String {
    let mut s = String::with_capacity(112);
    let _ = write!(
        s,
        r#"{{"type":"send","chat_id":{chat_id},"body":"lg {} {} {}","client_id":"lg-{run}-{}-{}"}}"#,
        probe.sender, probe.seq, probe.scheduled_us, probe.sender, probe.seq
    );
    s
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn string_after<'a>(frame: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let start = find(frame, key)? + key.len();
    let len = frame[start..].iter().position(|&b| b == b'"')?;
    Some(&frame[start..start + len])
}

fn parse_probe(frame: &[u8]) -> Option<Probe> {
    let body = string_after(frame, br#""body":"lg "#)?;
    let mut parts = std::str::from_utf8(body).ok()?.split(' ');
    let sender = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let scheduled_us = parts.next()?.parse().ok()?;
    Some(Probe {
        sender,
        seq,
        scheduled_us,
    })
}

/// Classifies a server → client text frame.
pub fn classify(frame: &[u8]) -> Incoming {
    let Some(kind) = string_after(frame, br#""type":""#) else {
        return Incoming::Other;
    };
    match kind {
        b"message" => parse_probe(frame).map_or(Incoming::Foreign, Incoming::Message),
        b"ack" => parse_probe(frame).map_or(Incoming::Foreign, Incoming::Ack),
        b"ready" => Incoming::Ready,
        b"error" => Incoming::Error(
            string_after(frame, br#""code":""#)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .unwrap_or_default(),
        ),
        _ => Incoming::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_survives_the_round_trip_through_a_message_frame() {
        let p = Probe {
            sender: 7,
            seq: 42,
            scheduled_us: 123_456,
        };
        let send: serde_json::Value = serde_json::from_str(&send_frame(1, 9, p)).unwrap();
        let msg = serde_json::json!({"type": "message", "message": {
            "id": 1, "chat_id": 9, "sender": {"id": 3, "username": "x"},
            "body": send["body"], "client_id": send["client_id"], "created_at": "t"}});
        assert_eq!(classify(msg.to_string().as_bytes()), Incoming::Message(p));
        let ack = serde_json::json!({"message": msg["message"], "client_id": "c", "type": "ack"});
        assert_eq!(classify(ack.to_string().as_bytes()), Incoming::Ack(p));
    }

    #[test]
    fn other_frames_are_told_apart() {
        assert_eq!(classify(br#"{"type":"ready","user":{}}"#), Incoming::Ready);
        assert_eq!(
            classify(br#"{"type":"error","code":"rate_limited","message":"x"}"#),
            Incoming::Error("rate_limited".into())
        );
        assert_eq!(
            classify(br#"{"type":"message","message":{"body":"hi"}}"#),
            Incoming::Foreign
        );
        assert_eq!(classify(br#"{"type":"pong"}"#), Incoming::Other);
    }
}
