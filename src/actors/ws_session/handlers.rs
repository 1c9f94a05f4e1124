//! Client frames, one method each. Every frame is checked against the
//! user's current role and membership; a refused frame gets an `error`
//! frame and the session stays open.

use actix::prelude::*;
use serde_json::json;

use super::frames::{error_frame, reply, Frame, Refusal};
use super::{close, WsSession};
use crate::actors::chats::{MarkRead, SyncAfter};
use crate::actors::room::{Broadcast, Origin, Post};
use crate::actors::ServiceError;
use crate::domain::{ClientId, MessageBody, Permission, Sender};

const SYNC_DEFAULT: i64 = 100;
const SYNC_MAX: i64 = 500;

fn invalid(reason: &'static str) -> Refusal {
    Refusal {
        code: "validation_failed",
        message: reason.into(),
    }
}

impl WsSession {
    pub(super) fn on_text(&mut self, text: &str, ctx: &mut Context<Self>) {
        let frame = match Frame::parse(text) {
            Ok(frame) => frame,
            Err(refusal) => return self.refuse(None, refusal, ctx),
        };
        let needs_fresh_access = !matches!(frame.kind.as_str(), "auth" | "ping");
        if let (Some(user), true) = (&self.user, needs_fresh_access) {
            // The role may have changed or the account gone since the last frame.
            match self.svc.access.get(user.user_id) {
                Some(Some(access)) => self.user = Some(access),
                Some(None) => return self.close(close::REVOKED, "account no longer exists", ctx),
                None => {
                    let (svc, user_id) = (self.svc.clone(), user.user_id);
                    let load = async move { svc.access(user_id).await };
                    ctx.wait(
                        load.into_actor(self)
                            .map(move |loaded, s, ctx| match loaded {
                                Ok(Some(access)) => {
                                    s.user = Some(access);
                                    s.dispatch(frame, ctx);
                                }
                                Ok(None) => {
                                    s.close(close::REVOKED, "account no longer exists", ctx)
                                }
                                Err(e) => s.refuse(frame.reference.as_ref(), e.into(), ctx),
                            }),
                    );
                    return;
                }
            }
        }
        self.dispatch(frame, ctx);
    }

    pub(super) fn refuse(
        &mut self,
        reference: Option<&serde_json::Value>,
        refusal: Refusal,
        ctx: &mut Context<Self>,
    ) {
        self.push_now(error_frame(reference, refusal.code, &refusal.message), ctx);
    }

    fn dispatch(&mut self, frame: Frame, ctx: &mut Context<Self>) {
        let reference = frame.reference.clone();
        let result = match frame.kind.as_str() {
            "ping" => {
                self.push_now(reply(json!({"type": "pong"}), &reference), ctx);
                Ok(())
            }
            "auth" => self.on_auth(frame, ctx),
            _ if self.user.is_none() => Err(Refusal {
                code: "unauthorized",
                message: "authenticate first".into(),
            }),
            "send" => self.on_send(frame, ctx),
            "typing" => self.on_typing(frame),
            "read" => self.on_read(frame, ctx),
            "sync" => self.on_sync(frame, ctx),
            "subscribe" => self.on_subscribe(frame, ctx),
            "unsubscribe" => self.on_unsubscribe(frame, ctx),
            other => Err(Refusal::bad_request(format!(
                "unknown frame type `{other}`"
            ))),
        };
        if let Err(refusal) = result {
            self.refuse(reference.as_ref(), refusal, ctx);
        }
    }

    pub(super) fn allows(&self, perm: Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| self.svc.access.permissions.allows(u.role, perm))
    }

    fn on_auth(&mut self, frame: Frame, ctx: &mut Context<Self>) -> Result<(), Refusal> {
        let token = frame.str("token")?.to_owned();
        let svc = self.svc.clone();
        let check = async move { svc.authenticate(&token).await };
        ctx.wait(
            check
                .into_actor(self)
                .map(move |result, s, ctx| match (result, &s.user) {
                    (Ok((access, claims)), Some(current)) if access.user_id != current.user_id => {
                        let _ = claims;
                        s.refuse(
                            frame.reference.as_ref(),
                            ServiceError::Forbidden("token is for another user").into(),
                            ctx,
                        );
                    }
                    (Ok((access, claims)), _) => {
                        s.authenticated(access, claims.exp, frame.reference, ctx)
                    }
                    (Err(_), None) => s.close(close::TOKEN_EXPIRED, "invalid token", ctx),
                    (Err(e), Some(_)) => s.refuse(frame.reference.as_ref(), e.into(), ctx),
                }),
        );
        Ok(())
    }

    fn on_send(&mut self, frame: Frame, ctx: &mut Context<Self>) -> Result<(), Refusal> {
        let chat_id = frame.i64("chat_id")?;
        let body = MessageBody::parse(frame.str("body")?).map_err(|e| invalid(e.0))?;
        let client_id = match frame.opt_str("client_id")? {
            Some(raw) => Some(ClientId::parse(raw).map_err(|e| invalid(e.0))?),
            None => None,
        };
        if !self.allows(Permission::Write) {
            return Err(ServiceError::Forbidden("your role cannot send messages").into());
        }
        let Some(room) = self.member_of.get(&chat_id).cloned() else {
            return Err(if self.following.contains_key(&chat_id) {
                ServiceError::Forbidden("only members may send to this chat")
            } else {
                ServiceError::NotFound("no such chat")
            }
            .into());
        };
        if !self.spend_send() {
            return Err(ServiceError::RateLimited(1).into());
        }
        let user = self.user.as_ref().expect("authenticated");
        // do_send is safe here: a room never stops while a session is attached.
        room.do_send(Post {
            sender: Sender {
                id: user.user_id,
                username: user.username.clone(),
            },
            body: body.into_string(),
            client_id: client_id.map(|c| c.as_str().to_owned()),
            origin: Origin::Ws {
                session: self.outlet(ctx),
                reference: frame.reference,
            },
        });
        Ok(())
    }

    fn on_typing(&mut self, frame: Frame) -> Result<(), Refusal> {
        let chat_id = frame.i64("chat_id")?;
        let room = self
            .member_of
            .get(&chat_id)
            .ok_or_else(|| Refusal::from(ServiceError::NotFound("no such chat")))?;
        let user = self.user.as_ref().expect("authenticated");
        let typing = json!({"type": "typing", "chat_id": chat_id,
                            "user": {"id": user.user_id, "username": user.username}});
        room.do_send(Broadcast {
            frame: typing.to_string().into(),
            except_user: Some(user.user_id),
            members_only: false,
            remote: false,
        });
        Ok(())
    }

    fn on_read(&mut self, frame: Frame, ctx: &mut Context<Self>) -> Result<(), Refusal> {
        let chat_id = frame.i64("chat_id")?;
        let message_id = frame.i64("message_id")?;
        let caller = self.user.as_ref().expect("authenticated").user_id;
        let job = self.svc.chats.send(MarkRead {
            caller,
            chat_id,
            message_id,
        });
        ctx.spawn(job.into_actor(self).map(move |result, s, ctx| {
            let result = result
                .map_err(|e| ServiceError::Internal(e.to_string()))
                .and_then(|r| r);
            if let Err(e) = result {
                s.refuse(frame.reference.as_ref(), e.into(), ctx);
            }
        }));
        Ok(())
    }

    fn on_sync(&mut self, frame: Frame, ctx: &mut Context<Self>) -> Result<(), Refusal> {
        let chat_id = frame.i64("chat_id")?;
        let after_id = frame.i64("after_id")?;
        let limit = frame.opt_i64("limit")?.unwrap_or(SYNC_DEFAULT);
        if limit < 1 {
            return Err(invalid("limit must be at least 1"));
        }
        let job = self.svc.chats.send(SyncAfter {
            caller: self.user.as_ref().expect("authenticated").user_id,
            can_read_public: self.allows(Permission::ReadPublic),
            chat_id,
            after_id,
            limit: limit.min(SYNC_MAX),
        });
        ctx.spawn(job.into_actor(self).map(move |result, s, ctx| {
            match result
                .map_err(|e| ServiceError::Internal(e.to_string()))
                .and_then(|r| r)
            {
                Ok((messages, has_more)) => {
                    for message in messages {
                        s.push(
                            json!({"type": "message", "message": message})
                                .to_string()
                                .into(),
                            ctx,
                        );
                    }
                    let done =
                        json!({"type": "sync_done", "chat_id": chat_id, "has_more": has_more});
                    s.push(reply(done, &frame.reference), ctx);
                }
                Err(e) => s.refuse(frame.reference.as_ref(), e.into(), ctx),
            }
        }));
        Ok(())
    }
}
