//! `presence_query`: who of a list is online, for member lists of chats too
//! large to carry `presence` frames.

use actix::prelude::*;
use serde_json::Value;

use super::refusal::Refusal;
use super::WsSession;
use crate::actors::hub::PresenceQuery;
use crate::domain::UserId;
use crate::protocol::{ErrorCode, ServerFrame, PRESENCE_QUERY_MAX};

impl WsSession {
    pub(super) fn on_presence_query(
        &mut self,
        ids: Vec<UserId>,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        if ids.len() > PRESENCE_QUERY_MAX {
            return Err(Refusal::new(
                ErrorCode::ValidationFailed,
                "user_ids: at most 200 ids per presence_query",
            ));
        }
        let user_id = self.user.as_ref().expect("authenticated").user_id;
        let ask = self.svc.hub.send(PresenceQuery { user_id, ids });
        let reference = reference.clone();
        ctx.spawn(ask.into_actor(self).map(move |answer, s, ctx| {
            // The hub only stops with the system; nothing to answer then.
            if let Ok(online) = answer {
                let state = ServerFrame::PresenceState {
                    online: &online,
                    reference: reference.as_ref(),
                };
                s.push(state.encode(), ctx);
            }
        }));
        Ok(())
    }
}
