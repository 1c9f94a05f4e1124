//! What clients send over a WebSocket. The contract orders the answers to
//! a bad frame: malformed JSON (or no string `type`) is `bad_request` at
//! once; otherwise an unauthenticated session refuses anything but `auth`
//! and `ping` before looking at the fields; then a frame of an unknown type
//! or with a missing or mistyped field is `bad_request`. An [`Incoming`]
//! says which of these a text frame is, with the `ref` to echo.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::{ChatId, MessageId, UserId};

/// A client → server frame. A new frame is a new variant here and an arm
/// in the session's dispatch.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Authenticate, or renew before the token expires.
    Auth {
        token: String,
    },
    Send {
        chat_id: ChatId,
        /// May be empty (`""`) when `attachments` are given.
        body: String,
        client_id: Option<String>,
        /// Upload ids; `null` or absent for none.
        attachments: Option<Vec<i64>>,
        #[serde(default)]
        reply_to: Option<MessageId>,
    },
    Typing {
        chat_id: ChatId,
    },
    Read {
        chat_id: ChatId,
        message_id: MessageId,
    },
    Sync {
        chat_id: ChatId,
        #[serde(flatten)]
        after: SyncAfter,
        limit: Option<i64>,
    },
    Subscribe {
        chat_id: ChatId,
    },
    Unsubscribe {
        chat_id: ChatId,
    },
    /// Which of these users (at most [`PRESENCE_QUERY_MAX`]) are online.
    PresenceQuery {
        user_ids: Vec<UserId>,
    },
    Ping {},
}

/// The most ids one `presence_query` may ask about: a page of a member list.
pub const PRESENCE_QUERY_MAX: usize = 200;

/// Where a `sync` starts: `after_version` (every change since) or
/// `after_id` (new messages since); one of the two is required, and
/// `after_version` wins when both are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SyncAfter {
    Version { after_version: i64 },
    Id { after_id: MessageId },
}

/// The frames a session answers before authentication (and without a
/// fresh access check), by `type`.
const OPEN: [&str; 2] = ["auth", "ping"];

impl ClientFrame {
    fn is_open(&self) -> bool {
        matches!(self, ClientFrame::Auth { .. } | ClientFrame::Ping {})
    }
}

/// A text frame, read as far as it goes.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// A frame of the contract, and its `ref`.
    Frame {
        frame: ClientFrame,
        reference: Option<Value>,
    },
    /// An object with a string `type` whose frame is not the contract's
    /// (unknown type, missing or mistyped field).
    Unreadable {
        kind: String,
        reference: Option<Value>,
        message: String,
    },
    /// Not even that: malformed JSON, not an object, no string `type`.
    Malformed {
        reference: Option<Value>,
        message: String,
    },
}

/// The common case in one pass, without building a `Value` first.
#[derive(Deserialize)]
struct Tagged {
    #[serde(rename = "ref", default, deserialize_with = "present")]
    reference: Option<Value>,
    #[serde(flatten)]
    frame: ClientFrame,
}

/// `"ref": null` is a `ref` too, echoed as given.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl Incoming {
    pub fn read(text: &str) -> Incoming {
        if let Ok(Tagged { reference, frame }) = serde_json::from_str(text) {
            return Incoming::Frame { frame, reference };
        }
        // Something is off: read it again step by step, to say what.
        let malformed = |reference, message: String| Incoming::Malformed { reference, message };
        let body: Value = match serde_json::from_str(text) {
            Ok(body) => body,
            Err(e) => return malformed(None, format!("malformed JSON: {e}")),
        };
        let Value::Object(map) = &body else {
            return malformed(None, "a frame is a JSON object".into());
        };
        let reference = map.get("ref").cloned();
        let Some(Value::String(kind)) = map.get("type") else {
            return malformed(reference, "missing string field `type`".into());
        };
        let kind = kind.clone();
        match ClientFrame::deserialize(body) {
            Ok(frame) => Incoming::Frame { frame, reference },
            Err(e) => Incoming::Unreadable {
                kind,
                reference,
                message: e.to_string(),
            },
        }
    }

    /// Whether the session must be authenticated (and its access fresh)
    /// for this: anything but `auth` and `ping`, readable or not. A
    /// malformed frame is refused before that question comes up.
    pub fn needs_user(&self) -> bool {
        match self {
            Incoming::Frame { frame, .. } => !frame.is_open(),
            Incoming::Unreadable { kind, .. } => !OPEN.contains(&kind.as_str()),
            Incoming::Malformed { .. } => false,
        }
    }

    pub fn reference(&self) -> Option<&Value> {
        match self {
            Incoming::Frame { reference, .. }
            | Incoming::Unreadable { reference, .. }
            | Incoming::Malformed { reference, .. } => reference.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn frame(text: &str) -> (ClientFrame, Option<Value>) {
        match Incoming::read(text) {
            Incoming::Frame { frame, reference } => (frame, reference),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn frames_are_read_with_their_ref_and_extra_fields_ignored() {
        let (send, reference) =
            frame(r#"{"type":"send","chat_id":3,"body":"hi","ref":{"n":1},"extra":true}"#);
        assert_eq!(
            send,
            ClientFrame::Send {
                chat_id: ChatId(3),
                body: "hi".into(),
                client_id: None,
                attachments: None,
                reply_to: None,
            }
        );
        assert_eq!(reference, Some(json!({"n": 1})));
        assert_eq!(
            frame(r#"{"type":"ping","pad":"xxxx"}"#).0,
            ClientFrame::Ping {}
        );
        assert_eq!(frame(r#"{"ref":null,"type":"ping"}"#).1, Some(Value::Null));
        let (sync, _) = frame(r#"{"type":"sync","chat_id":3,"after_id":0,"limit":null}"#);
        assert_eq!(
            sync,
            ClientFrame::Sync {
                chat_id: ChatId(3),
                after: SyncAfter::Id {
                    after_id: MessageId(0)
                },
                limit: None
            }
        );
        let (sync, _) = frame(r#"{"type":"sync","chat_id":3,"after_version":9,"limit":5}"#);
        assert_eq!(
            sync,
            ClientFrame::Sync {
                chat_id: ChatId(3),
                after: SyncAfter::Version { after_version: 9 },
                limit: Some(5)
            }
        );
        // Read like any JSON object: the last of two equal keys counts.
        let (typing, _) = frame(r#"{"type":"typing","chat_id":1,"chat_id":2}"#);
        assert_eq!(typing, ClientFrame::Typing { chat_id: ChatId(2) });
    }

    #[test]
    fn what_cannot_be_read_says_why_and_echoes_ref_when_there_is_one() {
        for text in ["{not json", "[1,2,3]", r#""ping""#] {
            assert!(
                matches!(
                    Incoming::read(text),
                    Incoming::Malformed {
                        reference: None,
                        ..
                    }
                ),
                "{text}"
            );
        }
        let untyped = Incoming::read(r#"{"chat_id":1,"ref":"r"}"#);
        assert!(matches!(untyped, Incoming::Malformed { .. }));
        assert_eq!(untyped.reference(), Some(&json!("r")));
        for text in [
            r#"{"type":"dance","ref":"r"}"#,
            r#"{"type":"send","body":"no chat","ref":"r"}"#,
            r#"{"type":"send","chat_id":"1","body":"x","ref":"r"}"#,
            r#"{"type":"send","chat_id":1.5,"body":"x","ref":"r"}"#,
            r#"{"type":"sync","chat_id":1,"ref":"r"}"#,
            r#"{"type":"auth","token":7,"ref":"r"}"#,
        ] {
            let incoming = Incoming::read(text);
            assert!(
                matches!(&incoming, Incoming::Unreadable { message, .. } if !message.is_empty()),
                "{text}: {incoming:?}"
            );
            assert_eq!(incoming.reference(), Some(&json!("r")), "{text}");
        }
    }

    #[test]
    fn only_auth_and_ping_need_no_user_read_or_not() {
        let needs_user = |text: &str| Incoming::read(text).needs_user();
        assert!(!needs_user(r#"{"type":"auth","token":"t"}"#));
        assert!(!needs_user(r#"{"type":"auth"}"#));
        assert!(!needs_user(r#"{"type":"ping"}"#));
        assert!(needs_user(r#"{"type":"typing","chat_id":1}"#));
        assert!(needs_user(r#"{"type":"send"}"#));
        assert!(needs_user(r#"{"type":"dance"}"#));
        assert!(!needs_user("{not json"));
    }
}
