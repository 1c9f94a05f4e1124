//! Message search across the caller's chats (or one chat they may read).

use actix::{Handler, Message};

use super::{visible, ChatStore};
use crate::actors::messages::complete;
use crate::actors::ServiceResult;
use crate::db::search::{self, Scope};
use crate::domain::{ChatId, MessageId, SearchQuery, UserId};
use crate::protocol::SearchHit;

#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<SearchHit>>")]
pub struct SearchMessages {
    pub caller: UserId,
    pub can_read_public: bool,
    pub query: SearchQuery,
    pub chat_id: Option<ChatId>,
    pub before: Option<MessageId>,
    pub limit: i64,
}

impl Handler<SearchMessages> for ChatStore {
    type Result = ServiceResult<Vec<SearchHit>>;

    fn handle(&mut self, msg: SearchMessages, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let scope = match msg.chat_id {
            Some(chat_id) => {
                // A member's chat, or a public one: as for reading history.
                visible(&mut conn, chat_id, msg.caller, msg.can_read_public, false)?;
                Scope::Chat(chat_id)
            }
            None => Scope::MemberOf(msg.caller),
        };
        let rows = search::search(&mut conn, &msg.query, scope, msg.before, msg.limit)?;
        Ok(complete(&mut conn, rows, &self.urls)?
            .into_iter()
            .filter_map(|message| {
                // The index and the matcher agree on words; a candidate the
                // matcher does not confirm is left out rather than shown bare.
                let matches = msg.query.matches(&message.body)?;
                Some(SearchHit { message, matches })
            })
            .collect())
    }
}
