//! A change to a stored message (edit, delete, react) on its way from a
//! REST handler through the chat's room to the history writer, and its
//! outcome on the way back. Going through the room and the one writer puts
//! a chat's changes and sends in one order: the order of their versions.

use actix::Message;
use tokio::sync::oneshot;

use super::ServiceResult;
use crate::domain::ChangeRequest;
use crate::protocol;

/// The message's state after the change, and whether the change did
/// anything (`false`: it was so already, e.g. a second delete).
pub type ChangeResult = ServiceResult<(protocol::Message, bool)>;

/// A change, and where its outcome goes.
pub struct Change {
    pub request: ChangeRequest,
    pub reply: oneshot::Sender<ChangeResult>,
}

impl Message for Change {
    type Result = ();
}

/// Outcomes of changes for one chat, in the order they were applied.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Changed(pub Vec<(Change, ChangeResult)>);
