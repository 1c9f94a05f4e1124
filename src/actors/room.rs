//! A chat room: one actor per active chat. It orders the chat's sends (they
//! reach the writer in the order it receives them) and fans each committed
//! message out to the sessions attached to it, serialized once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytestring::ByteString;

use super::block_book::BlockBook;
use super::bus::{Bus, Event};
use super::change::{Change, Changed};
use super::delivery::{SessionHandle, SessionNotice};
use super::history::{Apply, HistoryWriter, Store};
use super::post::{Committed, Origin, Post};
use super::recent::Recent;
use crate::domain::{ChatId, MessageId, UserId};
use crate::protocol::{MessageJson, ServerFrame};

/// A room with nothing attached and nothing in flight stops after this long.
const IDLE_STOP: Duration = Duration::from_secs(60);

/// Attach a session: as a member, or as a follower of a public chat.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct Attach {
    pub session: SessionHandle,
    pub user_id: UserId,
    pub member: bool,
}

/// Detach a session; `follower_only` keeps it if attached as a member.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Detach {
    pub session_id: u64,
    pub follower_only: bool,
}

/// Detach every session of a user who left or was removed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DetachUser {
    pub user_id: UserId,
}

/// Pass a frame to every attached session except those of `except_user`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Broadcast {
    pub frame: ByteString,
    pub except_user: Option<UserId>,
    pub members_only: bool,
    /// Came from another instance over the bus: deliver, do not republish.
    pub remote: bool,
}

/// A message committed on another instance, from the bus.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoteMessage {
    pub id: MessageId,
    pub frame: ByteString,
}

/// Messages stored while the bus was down, oldest first: each not yet
/// delivered here goes to every attached session. Answers how many did.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct Replay(pub Vec<(MessageId, ByteString)>);

/// The chat was deleted: tell followers, then stop.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Close {
    /// Came from another instance over the bus.
    pub remote: bool,
}

/// Called once as the room stops, so whoever started it can forget it.
pub type OnStop = Box<dyn Fn(ChatId, &Addr<Room>)>;

struct Attached {
    user_id: UserId,
    session: SessionHandle,
    member: bool,
}

pub struct Room {
    chat_id: ChatId,
    sessions: HashMap<u64, Attached>,
    in_flight: usize,
    last_active: Instant,
    writer: Addr<HistoryWriter>,
    bus: Bus,
    book: Arc<BlockBook>,
    /// Messages delivered lately, so none is delivered twice.
    recent: Recent,
    on_stop: OnStop,
}

impl Room {
    pub fn new(
        chat_id: ChatId,
        writer: Addr<HistoryWriter>,
        bus: Bus,
        book: Arc<BlockBook>,
        on_stop: OnStop,
    ) -> Room {
        Room {
            chat_id,
            sessions: HashMap::new(),
            in_flight: 0,
            last_active: Instant::now(),
            writer,
            bus,
            book,
            recent: Recent::default(),
            on_stop,
        }
    }

    /// Records a message as delivered; `false` if it already was.
    fn first_delivery(&mut self, id: MessageId) -> bool {
        let prune = self.bus.linked();
        self.recent.first_time(id, Instant::now(), prune)
    }

    fn to_all(&self, frame: &ByteString) {
        for attached in self.sessions.values() {
            attached.session.deliver(frame.clone());
        }
    }
}

impl Actor for Room {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(IDLE_STOP / 2, |room, ctx| {
            let idle = room.sessions.is_empty() && room.in_flight == 0;
            if idle && room.last_active.elapsed() >= IDLE_STOP {
                ctx.stop();
            }
        });
    }

    fn stopping(&mut self, ctx: &mut Context<Self>) -> Running {
        (self.on_stop)(self.chat_id, &ctx.address());
        Running::Stop
    }
}

impl Handler<Post> for Room {
    type Result = ();

    fn handle(&mut self, post: Post, ctx: &mut Context<Self>) {
        self.in_flight += 1;
        self.last_active = Instant::now();
        self.writer.do_send(Store {
            chat_id: self.chat_id,
            post,
            reply_to: ctx.address().recipient(),
        });
    }
}

impl Handler<Committed> for Room {
    type Result = ();

    fn handle(&mut self, Committed(outcomes): Committed, _: &mut Context<Self>) {
        self.in_flight -= outcomes.len();
        self.last_active = Instant::now();
        for (post, outcome) in outcomes {
            match outcome {
                Ok((message, fresh)) => {
                    // Serialized once: every recipient and the ack share these bytes.
                    let json = MessageJson::new(&message);
                    // The sender's ack goes first: one frame, where the
                    // room's copies are one per member (a thousand in a big
                    // chat), and the sender is waiting on it.
                    let origin_session = match &post.origin {
                        Origin::Ws { session, reference } => {
                            let ack = ServerFrame::Ack {
                                client_id: message.client_id.as_deref(),
                                message: &json,
                                reference: reference.as_ref(),
                            };
                            session.deliver(ack.encode());
                            Some(session.id)
                        }
                        Origin::Rest(_) => None,
                    };
                    // A retried send (`fresh` false) goes out again too:
                    // the first attempt may have been committed by an
                    // instance killed before it told the others. Rooms that
                    // delivered it already skip it (`first_delivery`).
                    let first_here = self.first_delivery(message.id);
                    if fresh || first_here {
                        let frame = ServerFrame::Message { message: &json }.encode();
                        self.bus.publish_with(|| Event::Chat {
                            chat_id: self.chat_id,
                            message_id: Some(message.id),
                            frame: frame.to_string(),
                            except_user: None,
                            members_only: false,
                        });
                        for attached in self.sessions.values().filter(|_| first_here) {
                            if origin_session != Some(attached.session.id) {
                                attached.session.deliver(frame.clone());
                            }
                        }
                    }
                    if let Origin::Rest(tx) = post.origin {
                        let _ = tx.send(Ok((message, fresh)));
                    }
                }
                Err(e) => match post.origin {
                    Origin::Ws { session, reference } => {
                        let error = ServerFrame::Error {
                            reference: reference.as_ref(),
                            code: e.code(),
                            message: &e.public_message(),
                        };
                        session.deliver(error.encode());
                    }
                    Origin::Rest(tx) => {
                        let _ = tx.send(Err(e));
                    }
                },
            }
        }
    }
}

impl Handler<Change> for Room {
    type Result = ();

    fn handle(&mut self, change: Change, ctx: &mut Context<Self>) {
        self.in_flight += 1;
        self.last_active = Instant::now();
        self.writer.do_send(Apply {
            chat_id: self.chat_id,
            change,
            reply_to: ctx.address().recipient(),
        });
    }
}

impl Handler<Changed> for Room {
    type Result = ();

    /// Every attached session (members and followers, the author's own
    /// included) gets the message's new state once, in version order.
    fn handle(&mut self, Changed(outcomes): Changed, _: &mut Context<Self>) {
        self.in_flight -= outcomes.len();
        self.last_active = Instant::now();
        for (change, outcome) in outcomes {
            if let Ok((message, true)) = &outcome {
                let json = MessageJson::new(message);
                let frame = ServerFrame::MessageUpdated { message: &json }.encode();
                self.bus.publish_with(|| Event::Chat {
                    chat_id: self.chat_id,
                    frame: frame.to_string(),
                    except_user: None,
                    members_only: false,
                    message_id: None,
                });
                for attached in self.sessions.values() {
                    attached.session.deliver(frame.clone());
                }
            }
            let _ = change.reply.send(outcome);
        }
    }
}

impl Handler<Attach> for Room {
    type Result = ();

    fn handle(&mut self, msg: Attach, _: &mut Context<Self>) {
        self.last_active = Instant::now();
        let entry = self.sessions.entry(msg.session.id).or_insert(Attached {
            user_id: msg.user_id,
            session: msg.session,
            member: msg.member,
        });
        entry.member |= msg.member;
    }
}

impl Handler<Detach> for Room {
    type Result = ();

    fn handle(&mut self, msg: Detach, _: &mut Context<Self>) {
        self.last_active = Instant::now();
        if let Some(attached) = self.sessions.get(&msg.session_id) {
            if !(msg.follower_only && attached.member) {
                self.sessions.remove(&msg.session_id);
            }
        }
    }
}

impl Handler<DetachUser> for Room {
    type Result = ();

    fn handle(&mut self, msg: DetachUser, _: &mut Context<Self>) {
        self.sessions.retain(|_, a| a.user_id != msg.user_id);
    }
}

impl Handler<Broadcast> for Room {
    type Result = ();

    fn handle(&mut self, msg: Broadcast, _: &mut Context<Self>) {
        if !msg.remote {
            self.bus.publish_with(|| Event::Chat {
                chat_id: self.chat_id,
                message_id: None,
                frame: msg.frame.to_string(),
                except_user: msg.except_user,
                members_only: msg.members_only,
            });
        }
        for attached in self.sessions.values() {
            // `except_user` is the frame's author (typing): people who
            // blocked it do not hear it either.
            let muted = msg
                .except_user
                .is_some_and(|author| self.book.blocks(attached.user_id, author));
            if Some(attached.user_id) != msg.except_user
                && (attached.member || !msg.members_only)
                && !muted
            {
                attached.session.deliver(msg.frame.clone());
            }
        }
    }
}

impl Handler<RemoteMessage> for Room {
    type Result = ();

    fn handle(&mut self, msg: RemoteMessage, _: &mut Context<Self>) {
        if self.first_delivery(msg.id) {
            self.to_all(&msg.frame);
        }
    }
}

impl Handler<Replay> for Room {
    type Result = u64;

    fn handle(&mut self, Replay(messages): Replay, _: &mut Context<Self>) -> u64 {
        let mut delivered = 0;
        for (id, frame) in messages {
            if self.first_delivery(id) {
                self.to_all(&frame);
                delivered += 1;
            }
        }
        delivered
    }
}

impl Handler<Close> for Room {
    type Result = ();

    fn handle(&mut self, msg: Close, ctx: &mut Context<Self>) {
        if !msg.remote {
            self.bus.publish(Event::ChatClosed {
                chat_id: self.chat_id,
            });
        }
        let frame = ServerFrame::ChatRemoved {
            chat_id: self.chat_id,
        }
        .encode();
        for attached in self.sessions.values() {
            // Members hear of it from the hub, with their membership.
            if !attached.member {
                attached.session.deliver(frame.clone());
            }
            attached.session.notify(SessionNotice::RoomClosed {
                chat_id: self.chat_id,
            });
        }
        self.sessions.clear();
        if self.in_flight == 0 {
            ctx.stop();
        }
    }
}
