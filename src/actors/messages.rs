//! Stored messages as the contract shows them, for the chat store's reads
//! and the history writer's outcomes alike: reactions, the quoted original
//! of a reply, attachments and their signed URLs included.

use std::collections::HashMap;

use crate::db::full::{self, FullMessage, Reactions};
use crate::db::messages::MessageWithSender;
use crate::db::{attachments, utc, DbConn, DbError};
use crate::domain::{MessageId, StoredUpload};
use crate::protocol::{Attachment, Message, Reaction, ReplyTo, Sender};
use crate::security::file_urls::{FileUrls, Variant};

/// The upload as a message attachment, with URLs signed for the window of
/// `now` (Unix seconds): the same for every recipient within it, so a
/// message is still serialized once for all of them. No I/O.
pub fn attachment(urls: &FileUrls, upload: &StoredUpload, now: i64) -> Attachment {
    let thumbnail_url = upload
        .thumbnail
        .as_ref()
        .map(|_| urls.url(upload.id, &upload.name, Variant::Thumbnail, now));
    Attachment {
        upload: upload.into(),
        url: urls.url(upload.id, &upload.name, Variant::File, now),
        thumbnail_url,
    }
}

pub fn to_message(full: FullMessage, uploads: &[StoredUpload], urls: &FileUrls) -> Message {
    let FullMessage {
        row,
        username,
        reactions,
        reply,
    } = full;
    let now = chrono::Utc::now().timestamp();
    Message {
        id: row.id,
        chat_id: row.chat_id,
        sender: Sender {
            id: row.sender_id,
            username,
        },
        mentions: row.mentions(),
        deleted: row.is_deleted(),
        body: row.body,
        client_id: row.client_id,
        created_at: utc(row.created_at),
        attachments: uploads.iter().map(|u| attachment(urls, u, now)).collect(),
        edited_at: row.edited_at.map(utc),
        reply_to: reply.map(|q| ReplyTo {
            id: q.id,
            sender: Sender {
                id: q.sender_id,
                username: q.username,
            },
            body: q.body,
            deleted: q.deleted,
        }),
        reactions: reactions
            .into_iter()
            .map(|r| Reaction {
                emoji: r.emoji,
                user_ids: r.user_ids,
            })
            .collect(),
        version: row.version,
    }
}

/// Many messages, with the attachments found for them (by message id).
pub fn to_messages(
    rows: Vec<FullMessage>,
    mut uploads: HashMap<MessageId, Vec<StoredUpload>>,
    urls: &FileUrls,
) -> Vec<Message> {
    rows.into_iter()
        .map(|m| {
            let files = uploads.remove(&m.row.id).unwrap_or_default();
            to_message(m, &files, urls)
        })
        .collect()
}

/// Rows as message objects, with their reactions, quotes and attachments
/// loaded (a query each).
pub fn complete(
    conn: &mut DbConn,
    rows: Vec<MessageWithSender>,
    urls: &FileUrls,
) -> Result<Vec<Message>, DbError> {
    let ids: Vec<MessageId> = rows.iter().map(|m| m.0.id).collect();
    let files = attachments::of_messages(conn, &ids)?;
    let full = full::complete(conn, rows, Reactions::Load)?;
    Ok(to_messages(full, files, urls))
}
