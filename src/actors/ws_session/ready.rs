//! Authentication, renewal and becoming `ready`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;

use super::WsSession;
use crate::actors::chats::ReadyData;
use crate::actors::hub::Connect;
use crate::actors::room::Attach;
use crate::actors::ServiceError;
use crate::protocol::{close, ServerFrame, UserJson};
use crate::security::access::Access;

impl WsSession {
    /// A valid token arrived (on upgrade or in an `auth` frame).
    pub(super) fn authenticated(
        &mut self,
        access: Arc<Access>,
        exp: i64,
        reference: Option<Value>,
        ctx: &mut Context<Self>,
    ) {
        let first = self.user.is_none();
        if self.slots.user.is_none() {
            // Authenticated by an `auth` frame: counted now.
            match self.svc.ws_caps.users.take(access.user_id) {
                Some(slot) => self.slots.user = Some(slot),
                None => {
                    return self.close(close::POLICY, "too many sessions for this user", ctx);
                }
            }
        }
        self.user = Some(access);
        self.token_exp = exp;
        let wait = (exp - chrono::Utc::now().timestamp()).max(0) as u64 + 1;
        // One expiry timer per session, replaced on renewal: timers left
        // behind would make every later frame slower.
        if let Some(old) = self.expiry.take() {
            ctx.cancel_future(old);
        }
        self.expiry = Some(ctx.run_later(Duration::from_secs(wait), |s, ctx| {
            if s.token_exp <= chrono::Utc::now().timestamp() {
                s.close(close::TOKEN_EXPIRED, "token expired and not renewed", ctx);
            }
        }));
        if first {
            self.become_ready(reference, ctx);
        }
    }

    /// Loads the user's chats and contacts, attaches to every room, tells
    /// the hub, then sends `ready` and opens the outbox's gate: room
    /// deliveries that arrived meanwhile follow it. Nothing else is handled
    /// while this runs (`ctx.wait`), so no reply can come between.
    fn become_ready(&mut self, reference: Option<Value>, ctx: &mut Context<Self>) {
        let Some(user) = self.user.clone() else {
            return;
        };
        let (svc, handle) = (self.svc.clone(), self.outlet(ctx));
        let user_id = user.user_id;
        let work = async move {
            let ReadyData {
                user: me,
                chat_ids,
                blocked,
            } = svc
                .lookups
                .ready
                .get(user_id)
                .await?
                .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
            // Before any room or the hub delivers to us: typing and presence
            // of people we blocked stay out, `ready.online` included.
            svc.rooms.blocks().set(user_id, blocked);
            let mut rooms = HashMap::with_capacity(chat_ids.len());
            let member = Attach {
                session: handle.clone(),
                user_id,
                member: true,
            };
            for &chat_id in &chat_ids {
                rooms.insert(chat_id, svc.rooms.attach(chat_id, member.clone()).await?);
            }
            let online = svc
                .hub
                .send(Connect {
                    user_id,
                    session: handle,
                    chat_ids,
                })
                .await
                .map_err(mailbox)?;
            Ok::<_, ServiceError>((me, rooms, online))
        };
        ctx.wait(
            work.into_actor(self)
                .map(move |result, s, ctx| match result {
                    Ok((me, rooms, online)) => {
                        s.member_of = rooms;
                        let ready = ServerFrame::Ready {
                            user: UserJson::new(&me, true),
                            session_id: s.id.to_string(),
                            online: &online,
                            presence_max_members: s.svc.ws.presence_max_members,
                            reference: reference.as_ref(),
                        };
                        s.push(ready.encode(), ctx);
                        s.outbox.open();
                    }
                    Err(ServiceError::Unauthorized(_)) => {
                        s.close(close::REVOKED, "account no longer exists", ctx)
                    }
                    Err(e) => {
                        log::error!("session {} could not get ready: {e}", s.id);
                        s.close(close::INTERNAL, "internal error", ctx);
                    }
                }),
        );
    }
}

fn mailbox(e: MailboxError) -> ServiceError {
    ServiceError::Internal(format!("actor mailbox: {e}"))
}
