//! What the server sends over a WebSocket: every server frame of API.md,
//! built only here.

use bytestring::ByteString;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{Chat, ErrorCode, Message, Sender, UserJson};
#[cfg(test)]
use super::{Reaction, ReplyTo};
use crate::domain::{ChatId, MessageId, UserId};

/// A message serialized once. The same bytes go into the `message` frame
/// every recipient gets and into the sender's `ack`, however many there are.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct MessageJson(Box<RawValue>);

impl MessageJson {
    pub fn new(message: &Message) -> MessageJson {
        MessageJson(serde_json::value::to_raw_value(message).expect("a message serializes"))
    }
}

/// A server → client frame. `reference` is the request's `ref`, echoed.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    Ready {
        user: UserJson,
        session_id: String,
        online: &'a [UserId],
        /// Chats with more members carry no `presence` frames: clients ask
        /// with `presence_query` instead.
        presence_max_members: u32,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    Subscribed {
        chat_id: ChatId,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    Unsubscribed {
        chat_id: ChatId,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    Ack {
        client_id: Option<&'a str>,
        message: &'a MessageJson,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    Message {
        message: &'a MessageJson,
    },
    MessageUpdated {
        message: &'a MessageJson,
    },
    SyncDone {
        chat_id: ChatId,
        has_more: bool,
        version: i64,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    Typing {
        chat_id: ChatId,
        user: &'a Sender,
    },
    Read {
        chat_id: ChatId,
        user_id: UserId,
        message_id: MessageId,
    },
    Presence {
        user_id: UserId,
        online: bool,
    },
    PresenceState {
        online: &'a [UserId],
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
    ChatAdded {
        chat: &'a Chat,
    },
    ChatRemoved {
        chat_id: ChatId,
    },
    MembersChanged {
        chat_id: ChatId,
        members_count: i64,
        owner_id: Option<UserId>,
        added: &'a [UserJson],
        removed: &'a [UserId],
    },
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
        code: ErrorCode,
        message: &'a str,
    },
    Pong {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a Value>,
    },
}

impl ServerFrame<'_> {
    /// The frame's text, ready to be queued for any number of sockets
    /// (cloning a `ByteString` shares the bytes).
    pub fn encode(&self) -> ByteString {
        serde_json::to_string(self)
            .expect("frames serialize")
            .into()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::protocol::{Attachment, Upload};

    fn message() -> Message {
        Message {
            id: MessageId(7),
            chat_id: ChatId(3),
            sender: Sender {
                id: UserId(1),
                username: "ann".into(),
            },
            body: "hi \"there\"".into(),
            client_id: Some("c1".into()),
            created_at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 41, 7).unwrap(),
            attachments: vec![Attachment {
                upload: Upload {
                    id: 5,
                    name: "a.png".into(),
                    content_type: "image/png".into(),
                    size: 10,
                    width: Some(2),
                    height: Some(1),
                    duration_ms: None,
                },
                url: "/api/v1/files/5/a.png?exp=1&sig=s".into(),
                thumbnail_url: None,
            }],
            edited_at: None,
            deleted: false,
            reply_to: Some(ReplyTo {
                id: MessageId(5),
                sender: Sender {
                    id: UserId(2),
                    username: "bob".into(),
                },
                body: "yo".into(),
                deleted: false,
            }),
            reactions: vec![Reaction {
                emoji: "👍".into(),
                user_ids: vec![UserId(2)],
            }],
            mentions: vec![UserId(2)],
            version: 9,
        }
    }

    fn parsed(frame: ServerFrame) -> serde_json::Value {
        serde_json::from_str(&frame.encode()).unwrap()
    }

    #[test]
    fn message_and_ack_carry_the_same_serialized_message() {
        let message = message();
        let json = MessageJson::new(&message);
        let serialized = serde_json::to_string(&message).unwrap();
        let frame = ServerFrame::Message { message: &json }.encode();
        assert_eq!(
            &*frame,
            format!(r#"{{"type":"message","message":{serialized}}}"#)
        );
        let reference = json!({"n": 1});
        let ack = ServerFrame::Ack {
            client_id: message.client_id.as_deref(),
            message: &json,
            reference: Some(&reference),
        }
        .encode();
        assert_eq!(
            &*ack,
            format!(r#"{{"type":"ack","client_id":"c1","message":{serialized},"ref":{{"n":1}}}}"#)
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&serialized).unwrap(),
            json!({"id": 7, "chat_id": 3, "sender": {"id": 1, "username": "ann"},
                   "body": "hi \"there\"", "client_id": "c1",
                   "created_at": "2026-11-26T09:41:07.000Z",
                   "attachments": [{"id": 5, "name": "a.png", "content_type": "image/png",
                                    "size": 10, "width": 2, "height": 1, "duration_ms": null,
                                    "url": "/api/v1/files/5/a.png?exp=1&sig=s",
                                    "thumbnail_url": null}],
                   "edited_at": null, "deleted": false,
                   "reply_to": {"id": 5, "sender": {"id": 2, "username": "bob"},
                                "body": "yo", "deleted": false},
                   "reactions": [{"emoji": "👍", "user_ids": [2]}],
                   "mentions": [2], "version": 9})
        );
    }

    #[test]
    fn frames_have_the_contracts_shapes() {
        let r = json!("r1");
        assert_eq!(
            parsed(ServerFrame::Error {
                reference: Some(&r),
                code: ErrorCode::NotFound,
                message: "no such chat",
            }),
            json!({"type": "error", "ref": "r1", "code": "not_found", "message": "no such chat"})
        );
        let json = MessageJson::new(&message());
        assert_eq!(
            parsed(ServerFrame::MessageUpdated { message: &json })["type"],
            json!("message_updated")
        );
        assert_eq!(
            parsed(ServerFrame::Pong { reference: None }),
            json!({"type": "pong"})
        );
        assert_eq!(
            parsed(ServerFrame::SyncDone {
                chat_id: ChatId(3),
                has_more: true,
                version: 12,
                reference: Some(&r),
            }),
            json!({"type": "sync_done", "chat_id": 3, "has_more": true, "version": 12, "ref": "r1"})
        );
        assert_eq!(
            parsed(ServerFrame::Presence {
                user_id: UserId(2),
                online: false
            }),
            json!({"type": "presence", "user_id": 2, "online": false})
        );
        assert_eq!(
            parsed(ServerFrame::Typing {
                chat_id: ChatId(3),
                user: &message().sender
            }),
            json!({"type": "typing", "chat_id": 3, "user": {"id": 1, "username": "ann"}})
        );
        assert_eq!(
            parsed(ServerFrame::Read {
                chat_id: ChatId(3),
                user_id: UserId(2),
                message_id: MessageId(7)
            }),
            json!({"type": "read", "chat_id": 3, "user_id": 2, "message_id": 7})
        );
        assert_eq!(
            parsed(ServerFrame::MembersChanged {
                chat_id: ChatId(3),
                members_count: 2,
                owner_id: Some(UserId(1)),
                added: &[],
                removed: &[UserId(4)],
            }),
            json!({"type": "members_changed", "chat_id": 3, "members_count": 2,
                   "owner_id": 1, "added": [], "removed": [4]})
        );
        assert_eq!(
            parsed(ServerFrame::ChatRemoved { chat_id: ChatId(3) }),
            json!({"type": "chat_removed", "chat_id": 3})
        );
        assert_eq!(
            parsed(ServerFrame::Unsubscribed {
                chat_id: ChatId(3),
                reference: None
            }),
            json!({"type": "unsubscribed", "chat_id": 3})
        );
    }
}
