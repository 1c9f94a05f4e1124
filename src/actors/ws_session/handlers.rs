//! Client frames, one method each. Every frame is checked against the
//! user's current role and membership; a refused frame gets an `error`
//! frame and the session stays open.

use actix::prelude::*;
use serde_json::Value;

use super::refusal::Refusal;
use super::WsSession;
use crate::actors::chats::{MarkRead, SyncFrom};
use crate::actors::post::{Draft, Origin, Post};
use crate::actors::room::Broadcast;
use crate::actors::ServiceError;
use crate::domain::{AttachmentIds, ChatId, ClientId, MessageBody, MessageId, Permission};
use crate::protocol::{close, ClientFrame, ErrorCode, Incoming, Sender, ServerFrame, SyncAfter};

fn invalid(reason: &'static str) -> Refusal {
    Refusal::new(ErrorCode::ValidationFailed, reason)
}

/// The fields of a `send` frame, borrowed from it.
struct Send<'a> {
    chat_id: ChatId,
    body: &'a str,
    client_id: Option<&'a str>,
    attachments: Option<&'a [i64]>,
    reply_to: Option<MessageId>,
}

impl WsSession {
    pub(super) fn on_text(&mut self, text: &str, ctx: &mut Context<Self>) {
        let incoming = Incoming::read(text);
        // Every frame costs: a flood of `read` or `typing` frames is work
        // for others too. Over the budget the frame is dropped with an error.
        if let Err(wait) = self
            .frames
            .take(self.svc.ws.frame_rate, self.svc.ws.frame_burst)
        {
            let refusal = ServiceError::RateLimited(wait).into();
            return self.refuse(incoming.reference(), refusal, ctx);
        }
        if let Incoming::Malformed { reference, message } = incoming {
            let refusal = Refusal::new(ErrorCode::BadRequest, message);
            return self.refuse(reference.as_ref(), refusal, ctx);
        }
        if let (Some(user), true) = (&self.user, incoming.needs_user()) {
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
                                    s.dispatch(incoming, ctx);
                                }
                                Ok(None) => {
                                    s.close(close::REVOKED, "account no longer exists", ctx)
                                }
                                Err(e) => s.refuse(incoming.reference(), e.into(), ctx),
                            }),
                    );
                    return;
                }
            }
        }
        self.dispatch(incoming, ctx);
    }

    pub(super) fn refuse(
        &mut self,
        reference: Option<&Value>,
        refusal: Refusal,
        ctx: &mut Context<Self>,
    ) {
        let error = ServerFrame::Error {
            reference,
            code: refusal.code,
            message: &refusal.message,
        };
        self.push(error.encode(), ctx);
    }

    fn dispatch(&mut self, incoming: Incoming, ctx: &mut Context<Self>) {
        if incoming.needs_user() && self.user.is_none() {
            let refusal = Refusal::new(ErrorCode::Unauthorized, "authenticate first");
            return self.refuse(incoming.reference(), refusal, ctx);
        }
        let (frame, reference) = match incoming {
            Incoming::Frame { frame, reference } => (frame, reference),
            Incoming::Unreadable {
                reference, message, ..
            }
            | Incoming::Malformed { reference, message } => {
                let refusal = Refusal::new(ErrorCode::BadRequest, message);
                return self.refuse(reference.as_ref(), refusal, ctx);
            }
        };
        let result = match frame {
            ClientFrame::Ping {} => {
                let pong = ServerFrame::Pong {
                    reference: reference.as_ref(),
                };
                self.push(pong.encode(), ctx);
                Ok(())
            }
            ClientFrame::Auth { token } => self.on_auth(token, &reference, ctx),
            ClientFrame::Send {
                chat_id,
                body,
                client_id,
                attachments,
                reply_to,
            } => {
                let send = Send {
                    chat_id,
                    body: &body,
                    client_id: client_id.as_deref(),
                    attachments: attachments.as_deref(),
                    reply_to,
                };
                self.on_send(send, &reference, ctx)
            }
            ClientFrame::Typing { chat_id } => self.on_typing(chat_id),
            ClientFrame::Read {
                chat_id,
                message_id,
            } => self.on_read(chat_id, message_id, &reference, ctx),
            ClientFrame::Sync {
                chat_id,
                after,
                limit,
            } => {
                let from = match after {
                    SyncAfter::Version { after_version } => SyncFrom::Version(after_version),
                    SyncAfter::Id { after_id } => SyncFrom::Id(after_id),
                };
                self.on_sync(chat_id, from, limit, &reference, ctx)
            }
            ClientFrame::Subscribe { chat_id } => self.on_subscribe(chat_id, &reference, ctx),
            ClientFrame::Unsubscribe { chat_id } => self.on_unsubscribe(chat_id, &reference, ctx),
            ClientFrame::PresenceQuery { user_ids } => {
                self.on_presence_query(user_ids, &reference, ctx)
            }
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

    fn on_auth(
        &mut self,
        token: String,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        let svc = self.svc.clone();
        let reference = reference.clone();
        let check = async move { svc.authenticate(&token).await };
        ctx.wait(
            check
                .into_actor(self)
                .map(move |result, s, ctx| match (result, &s.user) {
                    (Ok((access, _)), Some(current)) if access.user_id != current.user_id => {
                        let refusal = ServiceError::Forbidden("token is for another user").into();
                        s.refuse(reference.as_ref(), refusal, ctx);
                    }
                    (Ok((access, claims)), _) => {
                        s.authenticated(access, claims.exp, reference, ctx)
                    }
                    (Err(_), None) => s.close(close::TOKEN_EXPIRED, "invalid token", ctx),
                    (Err(e), Some(_)) => s.refuse(reference.as_ref(), e.into(), ctx),
                }),
        );
        Ok(())
    }

    fn on_send(
        &mut self,
        Send {
            chat_id,
            body,
            client_id,
            attachments,
            reply_to,
        }: Send,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        let attachments = AttachmentIds::parse(attachments).map_err(|e| invalid(e.0))?;
        let body =
            MessageBody::parse_with(body, !attachments.is_empty()).map_err(|e| invalid(e.0))?;
        let client_id = match client_id {
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
        // One budget per user, whatever the session or REST.
        let user_id = self.user.as_ref().expect("authenticated").user_id;
        self.svc
            .sends
            .spend(user_id)
            .map_err(ServiceError::RateLimited)?;
        let user = self.user.as_ref().expect("authenticated");
        // do_send is safe here: a room never stops while a session is attached.
        room.do_send(Post {
            draft: Draft {
                sender: Sender {
                    id: user.user_id,
                    username: user.username.clone(),
                },
                body,
                client_id,
                attachments,
                reply_to,
            },
            origin: Origin::Ws {
                session: self.outlet(ctx),
                reference: reference.clone(),
            },
        });
        Ok(())
    }

    fn on_typing(&mut self, chat_id: ChatId) -> Result<(), Refusal> {
        // Typing announces a message to come: only those who may send one.
        if !self.allows(Permission::Write) {
            return Err(ServiceError::Forbidden("your role cannot send messages").into());
        }
        let room = self
            .member_of
            .get(&chat_id)
            .ok_or_else(|| Refusal::from(ServiceError::NotFound("no such chat")))?;
        let user = self.user.as_ref().expect("authenticated");
        let typing = ServerFrame::Typing {
            chat_id,
            user: &Sender {
                id: user.user_id,
                username: user.username.clone(),
            },
        };
        room.do_send(Broadcast {
            frame: typing.encode(),
            except_user: Some(user.user_id),
            members_only: false,
            remote: false,
        });
        Ok(())
    }

    fn on_read(
        &mut self,
        chat_id: ChatId,
        message_id: MessageId,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        let caller = self.user.as_ref().expect("authenticated").user_id;
        let job = self.svc.chats.send(MarkRead {
            caller,
            chat_id,
            message_id,
        });
        let reference = reference.clone();
        ctx.spawn(job.into_actor(self).map(move |result, s, ctx| {
            let result = result
                .map_err(|e| ServiceError::Internal(e.to_string()))
                .and_then(|r| r);
            if let Err(e) = result {
                s.refuse(reference.as_ref(), e.into(), ctx);
            }
        }));
        Ok(())
    }
}
