//! A send on its way from a WebSocket session or a REST handler through the
//! chat's room to the history writer, and its outcome on the way back.

use actix::Message;
use serde_json::Value;

use super::delivery::SessionHandle;
use super::ServiceResult;
use crate::domain::{AttachmentIds, ClientId, MessageBody, MessageId};
use crate::protocol::{self, Sender};

/// What a sender asks to store.
#[derive(Debug, Clone)]
pub struct Draft {
    pub sender: Sender,
    pub body: MessageBody,
    /// Makes the send idempotent per sender.
    pub client_id: Option<ClientId>,
    /// The message this one replies to (checked when stored).
    pub reply_to: Option<MessageId>,
    /// Uploads to attach; checked and bound in the writer's transaction.
    pub attachments: AttachmentIds,
}

/// The stored message, and whether this send stored it (`false`: an
/// earlier send with the same `client_id` did).
pub type Outcome = ServiceResult<(protocol::Message, bool)>;

/// Where the outcome of a send goes.
pub enum Origin {
    /// A WebSocket `send`: that session gets `ack` (or `error`), echoing `ref`.
    Ws {
        session: SessionHandle,
        reference: Option<Value>,
    },
    /// A REST send waiting for the outcome.
    Rest(tokio::sync::oneshot::Sender<Outcome>),
}

/// A send on its way to storage.
pub struct Post {
    pub draft: Draft,
    pub origin: Origin,
}

impl Message for Post {
    type Result = ();
}

/// The outcomes of a committed batch for one chat, in id order.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Committed(pub Vec<(Post, Outcome)>);
