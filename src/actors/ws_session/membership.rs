//! Following public chats and membership changes while the socket is open.

use actix::prelude::*;
use serde_json::Value;

use super::ready::attach;
use super::refusal::Refusal;
use super::{JoinedChat, LeftChat, WsSession};
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
            attach(&svc.rooms, chat_id, || Attach {
                session: handle.clone(),
                user_id,
                member: false,
            })
            .await
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
}

impl Handler<JoinedChat> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: JoinedChat, ctx: &mut Context<Self>) {
        let Some(user_id) = self.user.as_ref().map(|u| u.user_id) else {
            return;
        };
        self.push(msg.frame, ctx);
        if self.member_of.contains_key(&msg.chat_id) {
            return;
        }
        let (svc, handle) = (self.svc.clone(), self.outlet(ctx));
        let chat_id = msg.chat_id;
        let job = async move {
            attach(&svc.rooms, chat_id, || Attach {
                session: handle.clone(),
                user_id,
                member: true,
            })
            .await
        };
        ctx.wait(job.into_actor(self).map(move |result, s, _| {
            if let Ok(room) = result {
                s.following.remove(&chat_id);
                s.member_of.insert(chat_id, room);
            }
        }));
    }
}

impl Handler<LeftChat> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: LeftChat, ctx: &mut Context<Self>) {
        if let Some(room) = self.member_of.remove(&msg.chat_id) {
            room.do_send(Detach {
                session_id: self.id,
                follower_only: false,
            });
        }
        self.push(msg.frame, ctx);
    }
}
