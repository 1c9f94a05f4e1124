//! Sessions attaching to the room and leaving it.

use std::time::Instant;

use actix::prelude::*;

use super::{Attach, Attached, Detach, DetachUser, Room};

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
