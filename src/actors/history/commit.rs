//! Committing a batch of sends in one transaction (one by one when the
//! batch fails as a whole), on the writer's blocking thread, and turning
//! each stored row into the message the room sends out.

use crate::actors::messages::to_message;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::full::{complete, Reactions};
use crate::db::history::{store_batch, store_single, PendingMessage, Stored};
use crate::db::{DbError, DbPool};
use crate::protocol::Message;
use crate::security::file_urls::FileUrls;

/// Commits the batch; if the transaction fails as a whole, retries each send
/// alone so one bad item cannot fail its neighbours. Stored rows become
/// message objects here, off the actor thread (a reply's quote, and a
/// retried send's reactions, take a query).
pub(super) fn write(
    pool: &DbPool,
    rows: &[PendingMessage],
    names: Vec<String>,
    urls: &FileUrls,
) -> Vec<Written> {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            log::warn!("cannot store {} messages: {e}", rows.len());
            return pool_failed(&e, rows.len());
        }
    };
    let stored: Vec<ServiceResult<Stored>> = match store_batch(&mut conn, rows) {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        // A lone send is retried alone only when an upload it attaches
        // was taken meanwhile: then it is refused rather than failed.
        Err(e) if rows.len() == 1 && !matches!(e, DbError::BatchMismatch) => vec![Err(e.into())],
        Err(e) => {
            log::warn!("batch of {} failed ({e}); storing one by one", rows.len());
            rows.iter()
                .map(|row| store_single(&mut conn, row).map_err(Into::into))
                .collect()
        }
    };
    let mut found = Vec::new();
    let mut retried = false;
    for (outcome, name) in stored.iter().zip(&names) {
        if let Ok(Stored::Message(row, fresh, _)) = outcome {
            retried |= !fresh;
            found.push((row.clone(), name.clone()));
        }
    }
    let load = if retried {
        Reactions::Load
    } else {
        Reactions::None
    };
    let mut full = match complete(&mut conn, found, load) {
        Ok(full) => full.into_iter(),
        Err(e) => {
            let err = ServiceError::from(e).to_string();
            return stored
                .into_iter()
                .map(|_| Err(ServiceError::Internal(err.clone())))
                .collect();
        }
    };
    stored
        .into_iter()
        .map(|outcome| match outcome? {
            Stored::Message(_, fresh, files) => {
                let full = full.next().expect("one per stored message");
                Ok((to_message(full, &files, urls), fresh))
            }
            Stored::BadAttachments(why) => Err(ServiceError::Invalid("attachments", why)),
            Stored::NotMember { public: true } => Err(ServiceError::Forbidden(
                "only members may send to this chat",
            )),
            Stored::NotMember { public: false } => Err(ServiceError::NotFound("no such chat")),
            Stored::Blocked => Err(ServiceError::Refused(
                crate::protocol::reason::BLOCKED,
                "this user does not accept messages from you",
            )),
            Stored::BadReply => Err(ServiceError::Invalid(
                "reply_to",
                "must be a message of this chat that is not deleted",
            )),
        })
        .collect()
}

/// One send's outcome, ready for its room.
pub(super) type Written = ServiceResult<(Message, bool)>;

/// One error per item of a batch that found no connection: `Unavailable`
/// (REST callers get 503) when the database is unreachable, else internal.
pub(super) fn pool_failed<T>(e: &DbError, items: usize) -> Vec<ServiceResult<T>> {
    let unavailable = e.unavailable();
    let err = format!("database pool: {e}");
    (0..items)
        .map(|_| {
            Err(if unavailable {
                ServiceError::Db(DbError::Unavailable)
            } else {
                ServiceError::Internal(err.clone())
            })
        })
        .collect()
}
