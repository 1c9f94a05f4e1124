//! Following public chats and membership changes while the socket is open.

use actix::prelude::*;
use bytestring::ByteString;
use serde_json::Value;

use super::refusal::Refusal;
use super::WsSession;
use crate::actors::chats::CanFollow;
use crate::actors::room::{Attach, Detach};
use crate::actors::ServiceError;
use crate::domain::{ChatId, Permission};
use crate::protocol::ServerFrame;

impl WsSession {
    pub(super) fn on_subscribe(
        &mut self,
        chat_id: ChatId,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        let subscribed = move |reference: Option<&Value>| {
            ServerFrame::Subscribed { chat_id, reference }.encode()
        };
        if self.member_of.contains_key(&chat_id) || self.following.contains_key(&chat_id) {
            self.push(subscribed(reference.as_ref()), ctx);
            return Ok(());
        }
        if !self.allows(Permission::ReadPublic) {
            return Err(ServiceError::Forbidden("your role cannot read public chats").into());
        }
        let (svc, handle) = (self.svc.clone(), self.outlet(ctx));
        let user_id = self.user.as_ref().expect("authenticated").user_id;
        let job = async move {
            let public = svc
                .chats
                .send(CanFollow { chat_id })
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))??;
            if !public {
                return Err(ServiceError::NotFound("no such public chat"));
            }
            let follower = Attach {
                session: handle,
                user_id,
                member: false,
            };
            svc.rooms.attach(chat_id, follower).await
        };
        let reference = reference.clone();
        ctx.spawn(
            job.into_actor(self)
                .map(move |result, s, ctx| match result {
                    Ok(room) => {
                        s.following.insert(chat_id, room);
                        s.push(subscribed(reference.as_ref()), ctx);
                    }
                    Err(e) => s.refuse(reference.as_ref(), e.into(), ctx),
                }),
        );
        Ok(())
    }

    pub(super) fn on_unsubscribe(
        &mut self,
        chat_id: ChatId,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        if let Some(room) = self.following.remove(&chat_id) {
            room.do_send(Detach {
                session_id: self.id,
                follower_only: true,
            });
        }
        let unsubscribed = ServerFrame::Unsubscribed {
            chat_id,
            reference: reference.as_ref(),
        };
        self.push(unsubscribed.encode(), ctx);
        Ok(())
    }

    /// The user became a member of `chat_id`: pass `frame` (`chat_added`),
    /// then attach to the room as a member.
    pub(super) fn joined(&mut self, chat_id: ChatId, frame: ByteString, ctx: &mut Context<Self>) {
        let Some(user_id) = self.user.as_ref().map(|u| u.user_id) else {
            return;
        };
        self.push(frame, ctx);
        if self.member_of.contains_key(&chat_id) {
            return;
        }
        let (svc, handle) = (self.svc.clone(), self.outlet(ctx));
        let job = async move {
            let member = Attach {
                session: handle,
                user_id,
                member: true,
            };
            svc.rooms.attach(chat_id, member).await
        };
        ctx.wait(job.into_actor(self).map(move |result, s, _| {
            if let Ok(room) = result {
                s.following.remove(&chat_id);
                s.member_of.insert(chat_id, room);
            }
        }));
    }

    /// The user is no longer a member of `chat_id`: detach, then pass
    /// `frame` (`chat_removed`).
    pub(super) fn left(&mut self, chat_id: ChatId, frame: ByteString, ctx: &mut Context<Self>) {
        if let Some(room) = self.member_of.remove(&chat_id) {
            room.do_send(Detach {
                session_id: self.id,
                follower_only: false,
            });
        }
        self.push(frame, ctx);
    }
}
