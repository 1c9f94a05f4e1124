//! One WebSocket session of the load generator: connect, wait for `ready`,
//! then send on schedule (if it is a sender) and record every delivery until
//! the coordinator says stop.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::driver::{ConnPlan, Local, Phase, SendMode, Shared};
use crate::proto::{self, Incoming, Probe};
use crate::stats::Seen;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

type Socket = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

/// Connects and waits for `ready`; the error says why not.
async fn open(client: &awc::Client, url: &str) -> Result<Socket, String> {
    let (_, mut socket) = client
        .ws(url)
        .max_frame_size(1 << 20)
        .connect()
        .await
        .map_err(|e| match e {
            awc::error::WsClientError::InvalidResponseStatus(s) if s.as_u16() == 429 => {
                "upgrade refused with 429: start the server with higher \
                 --ws-sessions-per-user and --ws-connections-per-address"
                    .to_owned()
            }
            e => e.to_string(),
        })?;
    while let Some(frame) = socket.next().await {
        match frame.map_err(|e| e.to_string())? {
            Frame::Text(t) if proto::classify(&t) == Incoming::Ready => return Ok(socket),
            Frame::Ping(p) => socket
                .send(Message::Pong(p))
                .await
                .map_err(|e| e.to_string())?,
            Frame::Close(reason) => return Err(format!("closed before ready: {reason:?}")),
            _ => {}
        }
    }
    Err("closed before ready".into())
}

/// Runs one session from connect to the end of the run.
pub async fn run(
    plan: ConnPlan,
    client: Rc<awc::Client>,
    shared: Arc<Shared>,
    local: Rc<RefCell<Local>>,
    mut phase: watch::Receiver<Phase>,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let began = shared.now_us();
    let opened = tokio::time::timeout(CONNECT_TIMEOUT, open(&client, &plan.url)).await;
    drop(permit);
    let mut socket = match opened {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return shared.connect_failed(&e),
        Err(_) => return shared.connect_failed("timed out"),
    };
    local
        .borrow_mut()
        .connect
        .record(shared.now_us().saturating_sub(began));
    shared.connected();

    let mut seen = Seen::new(plan.expect_from);
    let mut sent: u64 = 0;
    let mut sending = false;
    let mut in_flight = 0usize;
    let timer = tokio::time::sleep_until(Instant::now() + Duration::from_secs(3600));
    tokio::pin!(timer);

    loop {
        tokio::select! {
            biased;
            changed = phase.changed() => {
                if changed.is_err() { break; }
                let now_phase = *phase.borrow_and_update();
                match now_phase {
                    Phase::Run if plan.send.is_some() => {
                        sending = true;
                        let first = plan.send.as_ref().map_or(0, |s| match s.mode {
                            SendMode::Rate { offset_us, .. } => offset_us,
                            SendMode::Window(_) => 0,
                        });
                        timer.as_mut().reset(shared.instant_at(shared.start_us() + first));
                    }
                    Phase::Close => break,
                    _ => {}
                }
            }
            frame = socket.next() => {
                let Some(Ok(frame)) = frame else {
                    local.borrow_mut().disconnects += 1;
                    break;
                };
                match frame {
                    Frame::Text(t) => {
                        let now = shared.now_us();
                        match proto::classify(&t) {
                            Incoming::Message(p) => local.borrow_mut().delivery(&mut seen, p, now),
                            Incoming::Ack(p) => {
                                local.borrow_mut().ack(p, now, &shared);
                                in_flight = in_flight.saturating_sub(1);
                                if let (true, Some(s)) = (sending, &plan.send) {
                                    if let (SendMode::Window(_), true) = (&s.mode, now < shared.end_us()) {
                                        let probe = Probe { sender: s.sender, seq: sent, scheduled_us: now };
                                        if socket.send(text(proto::send_frame(shared.run, s.chat_id, probe))).await.is_err() { break; }
                                        sent += 1;
                                        in_flight += 1;
                                    }
                                }
                            }
                            Incoming::Foreign => local.borrow_mut().foreign += 1,
                            Incoming::Error(code) => *local.borrow_mut().errors.entry(code).or_default() += 1,
                            Incoming::Ready | Incoming::Other => {}
                        }
                    }
                    Frame::Ping(p) if socket.send(Message::Pong(p.clone())).await.is_err() => break,
                    Frame::Close(_) => {
                        local.borrow_mut().disconnects += 1;
                        break;
                    }
                    _ => {}
                }
            }
            () = &mut timer, if sending => {
                let s = plan.send.as_ref().expect("sending implies a send plan");
                let (now, end) = (shared.now_us(), shared.end_us());
                match s.mode {
                    SendMode::Rate { interval_us, offset_us } => {
                        let mut due = shared.start_us() + offset_us + sent * interval_us;
                        while due <= now && due < end {
                            let probe = Probe { sender: s.sender, seq: sent, scheduled_us: due };
                            if socket.feed(text(proto::send_frame(shared.run, s.chat_id, probe))).await.is_err() { break; }
                            sent += 1;
                            due += interval_us;
                        }
                        if socket.flush().await.is_err() { break; }
                        if due >= end {
                            sending = false;
                            shared.sender_done(s.sender, sent);
                        } else {
                            timer.as_mut().reset(shared.instant_at(due));
                        }
                    }
                    SendMode::Window(w) => {
                        if now >= end {
                            sending = false;
                            shared.sender_done(s.sender, sent);
                        } else {
                            while in_flight < w {
                                let probe = Probe { sender: s.sender, seq: sent, scheduled_us: now };
                                if socket.feed(text(proto::send_frame(shared.run, s.chat_id, probe))).await.is_err() { break; }
                                sent += 1;
                                in_flight += 1;
                            }
                            if socket.flush().await.is_err() { break; }
                            timer.as_mut().reset(shared.instant_at(end));
                        }
                    }
                }
            }
        }
    }
    if sending {
        if let Some(s) = &plan.send {
            shared.sender_done(s.sender, sent);
        }
    }
    // Loss is only known once every sender has said how much it sent.
    while *phase.borrow() != Phase::Close {
        if phase.changed().await.is_err() {
            break;
        }
    }
    {
        let mut l = local.borrow_mut();
        l.lost += seen.lost(|s| shared.sent(s));
        l.duplicates += seen.duplicates;
        l.unexpected += seen.unexpected;
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.close()).await;
}

fn text(s: String) -> Message {
    Message::Text(s.into())
}
