//! Frames from elsewhere passed to the attached sessions: typing and reads
//! (`Broadcast`), messages committed on other instances, a replay after a
//! bus outage, and the chat's deletion.

use actix::prelude::*;

use super::{Broadcast, Close, RemoteMessage, Replay, Room};
use crate::actors::bus::Event;
use crate::actors::delivery::SessionNotice;
use crate::protocol::ServerFrame;

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
