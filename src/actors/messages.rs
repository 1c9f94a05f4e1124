//! Stored messages as the contract shows them, for the chat store's reads
//! and the history writer's outcomes alike, attachments and their signed
//! URLs included.

use std::collections::HashMap;

use crate::db::messages::MessageWithSender;
use crate::db::utc;
use crate::domain::{MessageId, StoredUpload};
use crate::protocol::{Attachment, Message, Sender};
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

pub fn to_message(
    (row, username): MessageWithSender,
    uploads: &[StoredUpload],
    urls: &FileUrls,
) -> Message {
    let now = chrono::Utc::now().timestamp();
    Message {
        id: row.id,
        chat_id: row.chat_id,
        sender: Sender {
            id: row.sender_id,
            username,
        },
        body: row.body,
        client_id: row.client_id,
        created_at: utc(row.created_at),
        attachments: uploads.iter().map(|u| attachment(urls, u, now)).collect(),
    }
}

/// Many messages, with the attachments found for them (by message id).
pub fn to_messages(
    rows: Vec<MessageWithSender>,
    mut uploads: HashMap<MessageId, Vec<StoredUpload>>,
    urls: &FileUrls,
) -> Vec<Message> {
    rows.into_iter()
        .map(|m| {
            let files = uploads.remove(&m.0.id).unwrap_or_default();
            to_message(m, &files, urls)
        })
        .collect()
}
