//! The outbox and its body, driven by hand.
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use actix_codec::Decoder;
use actix_http::body::MessageBody;
use actix_http::ws::{Codec, Frame};
use actix_web::web::BytesMut;

use super::*;
use crate::protocol::close;

/// Everything the body yields now, decoded as a client would.
fn drain(body: &mut OutboxBody) -> Vec<Frame> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut bytes = BytesMut::new();
    while let Poll::Ready(Some(chunk)) = Pin::new(&mut *body).poll_next(&mut cx) {
        bytes.extend_from_slice(&chunk.expect("encodes"));
    }
    let mut client = Codec::new().client_mode();
    let mut frames = Vec::new();
    while let Some(frame) = client.decode(&mut bytes).expect("decodes") {
        frames.push(frame);
    }
    frames
}

fn new_outbox(frames: usize, bytes: usize) -> Arc<Outbox> {
    let gauge = IntGauge::new("queued", "test").unwrap();
    Outbox::new(Bounds { frames, bytes }, gauge, None)
}

fn text(s: &str) -> Frame {
    Frame::Text(Bytes::copy_from_slice(s.as_bytes()))
}

#[test]
fn deliveries_wait_for_the_gate_and_replies_do_not() {
    let outbox = new_outbox(8, 1 << 20);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.deliver("m1".into()).unwrap();
    outbox.reply("ready".into()).unwrap();
    assert_eq!(drain(&mut body), vec![text("ready")]);
    outbox.open();
    outbox.deliver("m2".into()).unwrap();
    assert_eq!(drain(&mut body), vec![text("m1"), text("m2")]);
}

#[test]
fn a_full_queue_is_reported_once_then_refused() {
    let outbox = new_outbox(2, 1 << 20);
    let _body = OutboxBody::new(outbox.clone());
    outbox.deliver("a".into()).unwrap();
    outbox.deliver("b".into()).unwrap();
    assert_eq!(outbox.deliver("c".into()), Err(Refused::Full));
    assert_eq!(outbox.deliver("d".into()), Err(Refused::Closed));
}

#[test]
fn close_flushes_what_is_queued_first_unless_too_slow() {
    let outbox = new_outbox(8, 1 << 20);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.open();
    outbox.deliver("ack".into()).unwrap();
    outbox.close(1001, "restarting");
    assert_eq!(outbox.deliver("late".into()), Err(Refused::Closed));
    let frames = drain(&mut body);
    assert_eq!(frames[0], text("ack"));
    assert!(matches!(&frames[1], Frame::Close(Some(r)) if r.code == CloseCode::Away));
    assert_eq!(frames.len(), 2);

    let outbox = new_outbox(8, 1 << 20);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.open();
    outbox.deliver("stale".into()).unwrap();
    outbox.close(close::TOO_SLOW, "too slow");
    let frames = drain(&mut body);
    assert!(
        matches!(&frames[..], [Frame::Close(Some(r))] if r.code == CloseCode::Other(close::TOO_SLOW))
    );
}

#[test]
fn a_dropped_body_refuses_everything() {
    let outbox = new_outbox(8, 1 << 20);
    drop(OutboxBody::new(outbox.clone()));
    assert_eq!(outbox.deliver("x".into()), Err(Refused::Closed));
    assert_eq!(outbox.reply("x".into()), Err(Refused::Closed));
}

#[test]
fn one_byte_budget_covers_both_lanes_and_too_slow_drops_both() {
    let outbox = new_outbox(100, 10);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.reply("12345".into()).unwrap();
    outbox.deliver("1234".into()).unwrap();
    assert_eq!(outbox.gauge.get(), 9);
    assert_eq!(outbox.deliver("12".into()), Err(Refused::Full));
    assert_eq!(outbox.reply("12".into()), Err(Refused::Full));
    outbox.close(close::TOO_SLOW, "too slow");
    assert_eq!(outbox.gauge.get(), 0, "both lanes dropped");
    let frames = drain(&mut body);
    assert!(matches!(&frames[..], [Frame::Close(Some(_))]), "{frames:?}");
}

#[test]
fn a_frame_bigger_than_the_budget_still_passes_an_empty_queue() {
    let outbox = new_outbox(100, 4);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.reply("123456".into()).unwrap();
    assert_eq!(drain(&mut body), vec![text("123456")]);
    assert_eq!(outbox.gauge.get(), 0);
}

#[actix_web::test]
async fn paced_replies_wait_for_the_socket_to_drain() {
    let outbox = new_outbox(100, 10);
    let mut body = OutboxBody::new(outbox.clone());
    outbox.paced("12345678".into()).await.unwrap();
    let waiting = outbox.clone();
    let second = actix_web::rt::spawn(async move { waiting.paced("abcdefgh".into()).await });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(!second.is_finished(), "over the budget: it waits");
    assert_eq!(drain(&mut body), vec![text("12345678")]);
    second.await.unwrap().unwrap();
    assert_eq!(drain(&mut body), vec![text("abcdefgh")]);
    drop(body);
    assert_eq!(outbox.paced("x".into()).await, Err(Refused::Closed));
}
