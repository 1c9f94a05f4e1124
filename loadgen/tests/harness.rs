//! The harness measures itself: against the bare server it starts on a free
//! port, a small run must deliver every message exactly once.

use std::process::Command;

use serde_json::Value;

fn loadgen(args: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .args(["--target", "bare", "--json", "--drain", "2"])
        .output()
        .expect("run loadgen");
    assert!(
        out.status.success(),
        "loadgen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON report per line"))
        .collect()
}

#[test]
fn a_small_fanout_on_the_bare_server_loses_and_duplicates_nothing() {
    let reports = loadgen(&[
        "fanout",
        "--members",
        "5",
        "--senders",
        "1",
        "--rate",
        "50",
        "--duration",
        "1",
    ]);
    let r = &reports[0];
    assert_eq!(r["failed_sessions"], 0);
    assert_eq!(r["sent"], 50);
    assert_eq!(r["expected_deliveries"], 200, "4 receivers × 50 messages");
    assert_eq!(r["delivered"], 200);
    assert_eq!(r["lost"], 0);
    assert_eq!(r["duplicated"], 0);
    assert_eq!(r["unexpected"], 0);
    assert_eq!(r["acked"], 50, "the sender gets its own messages as acks");
}

#[test]
fn ingest_with_several_senders_gets_every_send_acked() {
    let reports = loadgen(&[
        "ingest",
        "--senders",
        "6",
        "--chats",
        "2",
        "--window",
        "2",
        "--duration",
        "0.5",
    ]);
    let r = &reports[0];
    let sent = r["sent"].as_u64().unwrap();
    assert!(sent > 0);
    assert_eq!(r["acked"].as_u64(), Some(sent));
    assert_eq!(
        r["expected_deliveries"].as_u64(),
        Some(sent * 2),
        "3 members per chat"
    );
    assert_eq!(r["lost"], 0);
    assert_eq!(r["duplicated"], 0);
}
