//! What sessions need to become `ready`, read for many users at once: a
//! reconnect storm of 10 000 sessions is 10 000 of these, which
//! `Services::ready` coalesces into batches (`actors::batch`), each three
//! queries on one pooled connection of the store's threads.

use std::collections::{HashMap, HashSet};

use actix::{Handler, Message};

use super::ChatStore;
use crate::actors::ServiceResult;
use crate::db::{blocks, members, users};
use crate::domain::{ChatId, User, UserId};

/// The users, their chats and whom they block. A user whose account is
/// gone is not in the answer.
#[derive(Message)]
#[rtype(result = "ServiceResult<HashMap<UserId, ReadyData>>")]
pub struct ReadyLookup {
    pub user_ids: Vec<UserId>,
}

#[derive(Clone)]
pub struct ReadyData {
    pub user: User,
    pub chat_ids: Vec<ChatId>,
    pub blocked: HashSet<UserId>,
}

impl Handler<ReadyLookup> for ChatStore {
    type Result = ServiceResult<HashMap<UserId, ReadyData>>;

    fn handle(&mut self, msg: ReadyLookup, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let mut found = HashMap::with_capacity(msg.user_ids.len());
        for row in users::find_many(&mut conn, &msg.user_ids)? {
            let user = User::try_from(row)?;
            let data = ReadyData {
                user,
                chat_ids: Vec::new(),
                blocked: HashSet::new(),
            };
            found.insert(data.user.id, data);
        }
        let ids: Vec<UserId> = found.keys().copied().collect();
        if ids.is_empty() {
            return Ok(found);
        }
        let mut chats = HashSet::new();
        for (user_id, chat_id) in members::chats_of_many(&mut conn, &ids)? {
            if let Some(data) = found.get_mut(&user_id) {
                data.chat_ids.push(chat_id);
                chats.insert(chat_id);
            }
        }
        for (blocker, blocked) in blocks::blocked_by_many(&mut conn, &ids)? {
            if let Some(data) = found.get_mut(&blocker) {
                data.blocked.insert(blocked);
            }
        }
        // The hub needs each chat's size to know whom presence reaches;
        // counted once per chat (capped), then kept by membership changes.
        let scopes = self.announce.scopes();
        for chat_id in chats.into_iter().filter(|&c| !scopes.knows(c)) {
            let n = members::count_upto(&mut conn, chat_id, scopes.count_cap())?;
            scopes.note(chat_id, n);
        }
        Ok(found)
    }
}
