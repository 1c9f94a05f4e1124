//! `sync`: a replay produced in pages as the socket drains, so a long reply
//! to a client that reads slowly (or never) holds one page and the outbox's
//! byte budget, not the whole reply.

use std::sync::Arc;

use actix::prelude::*;
use serde_json::Value;

use super::refusal::Refusal;
use super::WsSession;
use crate::actors::chats::{SyncAfter, SyncFrom};
use crate::actors::outbox::Outbox;
use crate::actors::{ServiceError, Services};
use crate::domain::{ChatId, Permission, UserId};
use crate::protocol::{ErrorCode, MessageJson, ServerFrame};

const SYNC_DEFAULT: i64 = 100;
const SYNC_MAX: i64 = 500;
/// Messages loaded from the database at a time.
const PAGE: i64 = 50;
/// `sync` frames a session may have waiting behind the one in progress.
pub(super) const SYNCS_WAITING: usize = 32;

/// What one replay needs, away from the session actor.
struct Replay {
    svc: Arc<Services>,
    outbox: Arc<Outbox>,
    caller: UserId,
    can_read_public: bool,
    chat_id: ChatId,
    from: SyncFrom,
    limit: i64,
}

impl Replay {
    /// Sends the messages then `sync_done`; `Ok(false)` if the socket closed.
    async fn run(self, reference: Option<Value>) -> Result<bool, ServiceError> {
        let (mut from, mut remaining) = (self.from, self.limit);
        let mut version = 0;
        let has_more = loop {
            let page = self
                .svc
                .chats
                .send(SyncAfter {
                    caller: self.caller,
                    can_read_public: self.can_read_public,
                    chat_id: self.chat_id,
                    from,
                    limit: remaining.min(PAGE),
                })
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))??;
            let (messages, more) = (page.messages, page.has_more);
            version = version.max(page.version);
            for message in &messages {
                let json = MessageJson::new(message);
                let frame = ServerFrame::Message { message: &json }.encode();
                if self.outbox.paced(frame).await.is_err() {
                    return Ok(false);
                }
            }
            remaining -= messages.len() as i64;
            match messages.last() {
                Some(last) if more && remaining > 0 => {
                    from = match from {
                        SyncFrom::Id(_) => SyncFrom::Id(last.id),
                        SyncFrom::Version(_) => SyncFrom::Version(last.version),
                    }
                }
                _ => break more,
            }
        };
        let done = ServerFrame::SyncDone {
            chat_id: self.chat_id,
            has_more,
            version,
            reference: reference.as_ref(),
        };
        Ok(self.outbox.paced(done.encode()).await.is_ok())
    }
}

impl WsSession {
    pub(super) fn on_sync(
        &mut self,
        chat_id: ChatId,
        from: SyncFrom,
        limit: Option<i64>,
        reference: &Option<Value>,
        ctx: &mut Context<Self>,
    ) -> Result<(), Refusal> {
        let limit = limit.unwrap_or(SYNC_DEFAULT);
        if limit < 1 {
            return Err(Refusal::new(
                ErrorCode::ValidationFailed,
                "limit must be at least 1",
            ));
        }
        if self.syncs_waiting >= SYNCS_WAITING {
            return Err(ServiceError::RateLimited(1).into());
        }
        let replay = Replay {
            svc: self.svc.clone(),
            outbox: self.outbox.clone(),
            caller: self.user.as_ref().expect("authenticated").user_id,
            can_read_public: self.allows(Permission::ReadPublic),
            chat_id,
            from,
            limit: limit.min(SYNC_MAX),
        };
        // One replay at a time per session, in the order asked.
        let turn = self.sync_turn.clone();
        let reference = reference.clone();
        let sent_ref = reference.clone();
        let job = async move {
            let _turn = turn.lock_owned().await;
            replay.run(sent_ref).await
        };
        self.syncs_waiting += 1;
        ctx.spawn(job.into_actor(self).map(move |result, s, ctx| {
            s.syncs_waiting -= 1;
            if let Err(e) = result {
                s.refuse(reference.as_ref(), e.into(), ctx);
            }
        }));
        Ok(())
    }
}
