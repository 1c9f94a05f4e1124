//! Frames: reading fields out of client frames and building server frames.

use bytestring::ByteString;
use serde_json::{json, Value};

use crate::actors::ServiceError;

/// A client frame whose fields are read on demand, so a missing or mistyped
/// field becomes a precise `bad_request`.
pub struct Frame {
    pub kind: String,
    pub reference: Option<Value>,
    body: Value,
}

/// Why a frame was refused: contract code, message, and the `ref` to echo.
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn bad_request(message: impl Into<String>) -> Refusal {
        Refusal {
            code: "bad_request",
            message: message.into(),
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Refusal {
        if let ServiceError::Db(_) | ServiceError::Internal(_) = &e {
            log::error!("websocket frame failed: {e}");
        }
        Refusal {
            code: e.code(),
            message: e.public_message(),
        }
    }
}

impl Frame {
    pub fn parse(text: &str) -> Result<Frame, Refusal> {
        let body: Value = serde_json::from_str(text)
            .map_err(|e| Refusal::bad_request(format!("malformed JSON: {e}")))?;
        let Value::Object(map) = &body else {
            return Err(Refusal::bad_request("a frame is a JSON object"));
        };
        let reference = map.get("ref").cloned();
        let kind = match map.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            _ => return Err(Refusal::bad_request("missing string field `type`")),
        };
        Ok(Frame {
            kind,
            reference,
            body,
        })
    }

    pub fn i64(&self, field: &str) -> Result<i64, Refusal> {
        self.body
            .get(field)
            .and_then(Value::as_i64)
            .ok_or_else(|| Refusal::bad_request(format!("`{field}` must be an integer")))
    }

    pub fn opt_i64(&self, field: &str) -> Result<Option<i64>, Refusal> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.i64(field).map(Some),
        }
    }

    pub fn str(&self, field: &str) -> Result<&str, Refusal> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| Refusal::bad_request(format!("`{field}` must be a string")))
    }

    pub fn opt_str(&self, field: &str) -> Result<Option<&str>, Refusal> {
        match self.body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.str(field).map(Some),
        }
    }
}

pub fn error_frame(reference: Option<&Value>, code: &str, message: &str) -> ByteString {
    let mut frame = json!({"type": "error", "code": code, "message": message});
    if let Some(r) = reference {
        frame["ref"] = r.clone();
    }
    frame.to_string().into()
}

/// Adds `ref` to a reply frame when the request carried one.
pub fn reply(mut frame: Value, reference: &Option<Value>) -> ByteString {
    if let Some(r) = reference {
        frame["ref"] = r.clone();
    }
    frame.to_string().into()
}
