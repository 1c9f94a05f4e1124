//! One actor per WebSocket. It reads the socket (its stream is a
//! [`Reader`]; the connection's task writes what it queues), keeps the
//! heartbeat, authenticates and renews, applies permissions and the send rate
//! limit to every frame, and bounds what it queues for a slow reader.

mod handlers;
mod membership;
mod presence;
mod ready;
mod refusal;
mod sync;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_http::ws::{CloseCode, ProtocolError};
use actix_web::web::BytesMut;
use bytestring::ByteString;

use refusal::Refusal;

use super::caps::WsSlots;
use super::delivery::{SessionHandle, SessionNotice};
use super::hub::Disconnect;
use super::outbox::{Bounds, Outbox, OutboxBody, Refused};
use super::room::{Detach, Room};
use super::send_budget::Bucket;
use super::socket::{ConnSocket, Reader, Received, Socket};
use super::Services;
use crate::domain::ChatId;
use crate::protocol::{close, ErrorCode};
use crate::security::access::Access;

/// The server pings this often...
const HEARTBEAT: Duration = Duration::from_secs(15);
/// ...and closes a socket it has heard nothing from for this long.
const SILENCE: Duration = Duration::from_secs(45);
/// A socket must authenticate within this long of opening.
const AUTH_WINDOW: Duration = Duration::from_secs(10);
/// A socket still open this long after its close frame was queued (the
/// peer does not read it) is reset.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub struct WsSession {
    id: u64,
    svc: Arc<Services>,
    /// Everything this socket is sent; rooms and the hub write their
    /// deliveries straight into it (see [`SessionHandle`]).
    outbox: Arc<Outbox>,
    last_heard: Instant,
    /// Set once authenticated.
    user: Option<Arc<Access>>,
    token_exp: i64,
    /// The timer that closes the socket when the token expires.
    expiry: Option<SpawnHandle>,
    member_of: HashMap<ChatId, Addr<Room>>,
    following: HashMap<ChatId, Addr<Room>>,
    /// Frames of any type this session may still send now.
    frames: Bucket,
    closing: bool,
    /// `sync` replays run one at a time (see `sync.rs`)...
    sync_turn: Arc<tokio::sync::Mutex<()>>,
    /// ...and this many are waiting or running.
    syncs_waiting: usize,
    /// This socket counted against its user's and its address's caps.
    slots: WsSlots,
}

/// What the upgrade learnt about a new socket.
pub struct Opening {
    /// The user and token expiry, when the token came with the upgrade.
    pub pre_auth: Option<(Arc<Access>, i64)>,
    pub slots: WsSlots,
}

impl WsSession {
    /// Starts a session reading an upgraded `socket` (`leftover`: bytes
    /// that came with the upgrade request), frames of at most `max_frame`
    /// bytes. Returns the body that carries the session's frames to the
    /// client, for the connection's task to write.
    pub fn start(
        svc: Arc<Services>,
        (socket, leftover): (Socket, BytesMut),
        max_frame: usize,
        opening: Opening,
    ) -> OutboxBody {
        let Opening { pre_auth, slots } = opening;
        let conn = Some(ConnSocket::new(&socket));
        let stream = Reader::new(socket, leftover, max_frame);
        let bounds = Bounds {
            frames: svc.ws.outbound_queue,
            bytes: svc.ws.outbound_bytes,
        };
        let outbox = Outbox::new(bounds, svc.metrics.ws_queued_bytes.clone(), conn);
        let body = OutboxBody::new(outbox.clone());
        let frame_burst = svc.ws.frame_burst;
        WsSession::create(move |ctx| {
            ctx.add_stream(stream);
            let mut session = WsSession {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                svc,
                outbox,
                last_heard: Instant::now(),
                user: None,
                token_exp: 0,
                expiry: None,
                member_of: HashMap::new(),
                following: HashMap::new(),
                frames: Bucket::full(frame_burst),
                closing: false,
                sync_turn: Arc::default(),
                syncs_waiting: 0,
                slots,
            };
            if let Some((access, exp)) = pre_auth {
                session.authenticated(access, exp, None, ctx);
            }
            session
        });
        body
    }

    /// Queues one of the session's own frames (a reply, `ready`, a
    /// membership change). They travel the outbox's control lane, which is
    /// never held back: room deliveries wait behind the gate until `ready`
    /// is queued, replies to frames before authentication do not. A reader
    /// too slow to keep the queue under its bound is disconnected rather
    /// than allowed to grow memory without limit.
    fn push(&mut self, frame: ByteString, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        match self.outbox.reply(frame) {
            Ok(()) => {}
            Err(Refused::Full) => {
                log::info!("session {} too slow, closing", self.id);
                self.close(close::TOO_SLOW, "too slow: reconnect and sync", ctx);
            }
            Err(Refused::Closed) => ctx.stop(),
        }
    }

    /// What rooms and the hub need to deliver to this session.
    fn outlet(&self, ctx: &Context<Self>) -> SessionHandle {
        SessionHandle::new(self.id, self.outbox.clone(), ctx.address().recipient())
    }

    fn close(&mut self, code: u16, reason: &'static str, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        self.closing = true;
        self.svc.metrics.observe_close(code);
        self.outbox.close(code, reason);
        actix::spawn(self.outbox.clone().abort_if_stuck(CLOSE_GRACE));
        ctx.stop();
    }

    fn heartbeat(&mut self, ctx: &mut Context<Self>) {
        if self.last_heard.elapsed() > SILENCE {
            self.close(CloseCode::Normal.into(), "silent for too long", ctx);
        } else {
            self.outbox.ping();
        }
    }
}

impl Actor for WsSession {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.svc.metrics.ws_sessions.inc();
        ctx.run_interval(HEARTBEAT, |s, ctx| s.heartbeat(ctx));
        ctx.run_later(AUTH_WINDOW, |s, ctx| {
            if s.user.is_none() {
                s.close(close::TOKEN_EXPIRED, "authenticate within 10 s", ctx);
            }
        });
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.svc.metrics.ws_sessions.dec();
        for room in self.member_of.values().chain(self.following.values()) {
            room.do_send(Detach {
                session_id: self.id,
                follower_only: false,
            });
        }
        if let Some(user) = &self.user {
            self.svc.hub.do_send(Disconnect {
                user_id: user.user_id,
                session_id: self.id,
            });
        }
    }
}

impl StreamHandler<Result<Received, ProtocolError>> for WsSession {
    fn handle(&mut self, item: Result<Received, ProtocolError>, ctx: &mut Context<Self>) {
        self.last_heard = Instant::now();
        match item {
            Ok(Received::Text(text)) => self.on_text(&text, ctx),
            Ok(Received::Binary(_)) => {
                let refusal =
                    Refusal::new(ErrorCode::BadRequest, "binary frames are not supported");
                self.refuse(None, refusal, ctx);
            }
            Ok(Received::Ping(bytes)) => {
                self.outbox.pong(bytes);
            }
            Ok(Received::Pong(_)) => {}
            Ok(Received::Close(_)) => self.close(CloseCode::Normal.into(), "bye", ctx),
            Err(ProtocolError::Overflow) => {
                self.close(CloseCode::Size.into(), "frame over 64 KiB", ctx)
            }
            Err(e) => {
                log::debug!("session {}: protocol error {e}", self.id);
                self.close(CloseCode::Protocol.into(), "protocol error", ctx);
            }
        }
    }

    /// The client closed the connection (or it failed after our close
    /// frame was queued): end our side too, unless a close frame is on its way.
    fn finished(&mut self, ctx: &mut Context<Self>) {
        if !self.closing {
            self.outbox.hang_up();
        }
        ctx.stop();
    }
}

impl Handler<SessionNotice> for WsSession {
    type Result = ();

    fn handle(&mut self, notice: SessionNotice, ctx: &mut Context<Self>) {
        match notice {
            SessionNotice::Joined { chat_id, frame } => self.joined(chat_id, frame, ctx),
            SessionNotice::Left { chat_id, frame } => self.left(chat_id, frame, ctx),
            SessionNotice::RoomClosed { chat_id } => {
                self.member_of.remove(&chat_id);
                self.following.remove(&chat_id);
            }
            SessionNotice::Close { code, reason } => self.close(code, reason, ctx),
        }
    }
}
