//! Messages. Every per-message query is a range scan on `messages_chat_id`
//! or a point lookup on `messages_sender_client_id`.
//!
//! The rows are here; storing them (one at a time or a batch, idempotent
//! by `client_id`) is in `store`, reading histories and counts in `read`.

mod read;
mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::messages;
use crate::domain::{text, ChatId, MessageId, UserId};

pub use read::{
    after, after_version, by_ids, find, from_id, last_id, live, page, stored_since, unread,
};
pub use store::{by_client_ids, find_by_client_id, insert_idempotent, insert_many};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    #[diesel(deserialize_as = i64)]
    pub id: MessageId,
    #[diesel(deserialize_as = i64)]
    pub chat_id: ChatId,
    #[diesel(deserialize_as = i64)]
    pub sender_id: UserId,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// Grows strictly within the chat with every change of any message.
    pub version: i64,
    pub edited_at: Option<NaiveDateTime>,
    /// 1 for a deleted message (`is_deleted`).
    pub deleted: i32,
    pub reply_to_id: Option<i64>,
    /// Comma-separated ids of the members the body mentions (`mentions()`).
    pub mentions: String,
}

impl MessageRow {
    pub fn is_deleted(&self) -> bool {
        self.deleted == 1
    }

    pub fn reply_to(&self) -> Option<MessageId> {
        self.reply_to_id.map(MessageId)
    }

    pub fn mentions(&self) -> Vec<UserId> {
        mentions_from_column(&self.mentions)
    }
}

/// Mentioned ids as stored (comma-separated).
pub fn mentions_column(ids: &[UserId]) -> String {
    ids.iter()
        .map(|id| id.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn mentions_from_column(s: &str) -> Vec<UserId> {
    s.split(',')
        .filter_map(|p| p.parse().ok())
        .map(UserId)
        .collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage<'a> {
    chat_id: i64,
    sender_id: i64,
    body: &'a str,
    client_id: Option<&'a str>,
    created_at: NaiveDateTime,
    version: i64,
    reply_to_id: Option<i64>,
    mentions: String,
    search_text: String,
}

impl<'a> NewMessage<'a> {
    pub fn new(
        chat_id: ChatId,
        sender_id: UserId,
        body: &'a str,
        client_id: Option<&'a str>,
        created_at: NaiveDateTime,
    ) -> NewMessage<'a> {
        NewMessage {
            chat_id: chat_id.0,
            sender_id: sender_id.0,
            body,
            client_id,
            created_at,
            version: 0,
            reply_to_id: None,
            mentions: String::new(),
            search_text: text::search_text(body),
        }
    }

    /// The version, reply and mentions a stored send takes.
    pub fn with(
        mut self,
        version: i64,
        reply_to: Option<MessageId>,
        mentions: &[UserId],
    ) -> NewMessage<'a> {
        self.version = version;
        self.reply_to_id = reply_to.map(|id| id.0);
        self.mentions = mentions_column(mentions);
        self
    }
}

/// A message with its sender's username, as history shows it.
pub type MessageWithSender = (MessageRow, String);
