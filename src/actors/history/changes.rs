//! Applying changes to stored messages (edit, delete, react) on the
//! writer's blocking thread, and turning each outcome into the message's
//! new state or the contract's error.

use crate::actors::change::ChangeResult;
use crate::actors::messages::complete;
use crate::actors::ServiceError;
use crate::db::changes::{self, ChangeOutcome};
use crate::db::{now, users, DbConn, DbPool};
use crate::domain::ChangeRequest;
use crate::security::file_urls::FileUrls;

/// Applies changes one by one, each in its own transaction.
pub(super) fn apply_changes(
    pool: &DbPool,
    requests: &[ChangeRequest],
    urls: &FileUrls,
) -> Vec<ChangeResult> {
    if requests.is_empty() {
        return Vec::new();
    }
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => return super::commit::pool_failed(&e, requests.len()),
    };
    requests
        .iter()
        .map(|request| changed_message(&mut conn, request, urls))
        .collect()
}

fn changed_message(conn: &mut DbConn, request: &ChangeRequest, urls: &FileUrls) -> ChangeResult {
    let (row, changed) = match changes::apply(conn, request, now())? {
        ChangeOutcome::Done(row, changed) => (row, changed),
        ChangeOutcome::NotMember { public: true } => {
            return Err(ServiceError::Forbidden("only members may change messages"))
        }
        ChangeOutcome::NotMember { public: false } => {
            return Err(ServiceError::NotFound("no such chat"))
        }
        ChangeOutcome::NoMessage => return Err(ServiceError::NotFound("no such message")),
        ChangeOutcome::NotAllowed => {
            return Err(ServiceError::Forbidden(
                "not allowed to change this message",
            ))
        }
        ChangeOutcome::TooManyEmoji => {
            return Err(ServiceError::Invalid(
                "emoji",
                "at most 20 distinct emoji per message",
            ))
        }
    };
    let username = users::find(conn, row.sender_id)?
        .map(|u| u.username)
        .unwrap_or_default();
    let message = complete(conn, vec![(row, username)], urls)?
        .pop()
        .ok_or(ServiceError::Internal("message vanished".into()))?;
    Ok((message, changed))
}
