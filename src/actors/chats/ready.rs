//! What a session needs to become `ready`, read in one go: a reconnect
//! storm of 10 000 sessions is 10 000 of these, so they take one actor hop
//! and one pooled connection each, on the store's threads (the accounts
//! actor's two threads already check every upgrade's token).

use std::collections::HashSet;

use actix::{Handler, Message};

use super::ChatStore;
use crate::actors::ServiceResult;
use crate::db::{blocks, members, users};
use crate::domain::{ChatId, User, UserId};

/// The user, their chats and whom they block.
#[derive(Message)]
#[rtype(result = "ServiceResult<ReadyData>")]
pub struct ReadyLookup {
    pub user_id: UserId,
}

pub struct ReadyData {
    /// `None`: the account is gone.
    pub user: Option<User>,
    pub chat_ids: Vec<ChatId>,
    pub blocked: HashSet<UserId>,
}

impl Handler<ReadyLookup> for ChatStore {
    type Result = ServiceResult<ReadyData>;

    fn handle(&mut self, msg: ReadyLookup, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let Some(row) = users::find(&mut conn, msg.user_id)? else {
            return Ok(ReadyData {
                user: None,
                chat_ids: Vec::new(),
                blocked: HashSet::new(),
            });
        };
        let chat_ids = members::chats_of(&mut conn, msg.user_id)?;
        // The hub needs each chat's size to know whom presence reaches;
        // counted once per chat (capped), then kept by membership changes.
        let scopes = self.announce.scopes();
        for &chat_id in chat_ids.iter().filter(|&&c| !scopes.knows(c)) {
            let n = members::count_upto(&mut conn, chat_id, scopes.count_cap())?;
            scopes.note(chat_id, n);
        }
        Ok(ReadyData {
            user: Some(User::try_from(row)?),
            chat_ids,
            blocked: blocks::blocked_by(&mut conn, msg.user_id)?,
        })
    }
}
