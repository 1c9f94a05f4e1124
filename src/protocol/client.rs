//! What clients send over a WebSocket. A text frame is read in two steps, as
//! the contract orders its answers: first the envelope every frame shares (a
//! JSON object with a string `type` and an optional `ref` to echo), so a
//! session can refuse an unauthenticated frame before looking inside it;
//! then the frame itself. Whatever fails either step is `bad_request`.

use serde::Deserialize;
use serde_json::Value;

use crate::domain::{ChatId, MessageId};

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
        body: String,
        client_id: Option<String>,
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
        after_id: MessageId,
        limit: Option<i64>,
    },
    Subscribe {
        chat_id: ChatId,
    },
    Unsubscribe {
        chat_id: ChatId,
    },
    Ping {},
}

/// A frame that could not be read: the `ref` to echo (when the frame was
/// an object that had one) and why.
#[derive(Debug, PartialEq)]
pub struct BadFrame {
    pub reference: Option<Value>,
    pub message: String,
}

/// The part every frame shares.
#[derive(Debug)]
pub struct Envelope {
    kind: String,
    reference: Option<Value>,
    body: Value,
}

impl Envelope {
    pub fn parse(text: &str) -> Result<Envelope, BadFrame> {
        let bad = |reference, message: String| BadFrame { reference, message };
        let body: Value =
            serde_json::from_str(text).map_err(|e| bad(None, format!("malformed JSON: {e}")))?;
        let Value::Object(map) = &body else {
            return Err(bad(None, "a frame is a JSON object".into()));
        };
        let reference = map.get("ref").cloned();
        let Some(Value::String(kind)) = map.get("type") else {
            return Err(bad(reference, "missing string field `type`".into()));
        };
        Ok(Envelope {
            kind: kind.clone(),
            reference,
            body,
        })
    }

    /// `auth` and `ping` are answered before authentication and need no
    /// fresh access check; every other frame needs both.
    pub fn needs_user(&self) -> bool {
        !matches!(self.kind.as_str(), "auth" | "ping")
    }

    pub fn reference(&self) -> Option<&Value> {
        self.reference.as_ref()
    }

    pub fn into_reference(self) -> Option<Value> {
        self.reference
    }

    /// The frame, or why its type or fields are not the contract's.
    pub fn read(self) -> Result<(ClientFrame, Option<Value>), BadFrame> {
        match ClientFrame::deserialize(self.body) {
            Ok(frame) => Ok((frame, self.reference)),
            Err(e) => Err(BadFrame {
                reference: self.reference,
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(text: &str) -> Result<(ClientFrame, Option<Value>), BadFrame> {
        Envelope::parse(text)?.read()
    }

    #[test]
    fn frames_are_read_with_their_ref_and_extra_fields_ignored() {
        let (frame, reference) =
            read(r#"{"type":"send","chat_id":3,"body":"hi","ref":{"n":1},"extra":true}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::Send {
                chat_id: ChatId(3),
                body: "hi".into(),
                client_id: None
            }
        );
        assert_eq!(reference, Some(json!({"n": 1})));
        let (ping, _) = read(r#"{"type":"ping","pad":"xxxx"}"#).unwrap();
        assert_eq!(ping, ClientFrame::Ping {});
        let (sync, _) = read(r#"{"type":"sync","chat_id":3,"after_id":0,"limit":null}"#).unwrap();
        assert_eq!(
            sync,
            ClientFrame::Sync {
                chat_id: ChatId(3),
                after_id: MessageId(0),
                limit: None
            }
        );
    }

    #[test]
    fn what_cannot_be_read_is_refused_echoing_ref_when_there_is_one() {
        for text in ["{not json", "[1,2,3]", r#""ping""#] {
            let e = Envelope::parse(text).unwrap_err();
            assert_eq!(e.reference, None, "{text}");
        }
        let e = Envelope::parse(r#"{"chat_id":1,"ref":"r"}"#).unwrap_err();
        assert_eq!(e.reference, Some(json!("r")));
        for text in [
            r#"{"type":"dance","ref":"r"}"#,
            r#"{"type":"send","body":"no chat","ref":"r"}"#,
            r#"{"type":"send","chat_id":"1","body":"x","ref":"r"}"#,
            r#"{"type":"send","chat_id":1.5,"body":"x","ref":"r"}"#,
            r#"{"type":"sync","chat_id":1,"ref":"r"}"#,
            r#"{"type":"auth","token":7,"ref":"r"}"#,
        ] {
            let e = read(text).unwrap_err();
            assert_eq!(e.reference, Some(json!("r")), "{text}");
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn only_auth_and_ping_need_no_user() {
        let kinds = |t: &str| Envelope::parse(&format!(r#"{{"type":"{t}"}}"#)).unwrap();
        assert!(!kinds("auth").needs_user());
        assert!(!kinds("ping").needs_user());
        assert!(kinds("send").needs_user());
        assert!(kinds("dance").needs_user());
    }
}
