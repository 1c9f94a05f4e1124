//! Sends and edits: each goes to the history writer in arrival order, and
//! what it committed fans out to the attached sessions, serialized once
//! (the sender's session gets `ack`, every other one `message`).

use std::time::Instant;

use actix::prelude::*;

use super::Room;
use crate::actors::bus::Event;
use crate::actors::change::{Change, Changed};
use crate::actors::history::{Apply, Store};
use crate::actors::post::{Committed, Origin, Post};
use crate::protocol::{MessageJson, ServerFrame};

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
