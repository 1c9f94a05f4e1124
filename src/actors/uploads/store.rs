//! The database side of uploads, on a `SyncArbiter`: quota, record, find,
//! and taking unreachable rows for the sweep.

use actix::{Actor, Handler, Message, SyncContext};
use chrono::NaiveDateTime;

use crate::actors::{ServiceError, ServiceResult};
use crate::db::uploads::{self, NewUpload, Refused, StoredKeys};
use crate::db::{self, DbPool, PooledConn};
use crate::domain::StoredUpload;

pub struct UploadStore {
    pool: DbPool,
}

impl UploadStore {
    pub fn new(pool: DbPool) -> UploadStore {
        UploadStore { pool }
    }

    pub(super) fn conn(&self) -> ServiceResult<PooledConn> {
        Ok(self.pool.get()?)
    }
}

impl Actor for UploadStore {
    type Context = SyncContext<Self>;
}

/// Bytes `owner` has stored (what the quota counts).
#[derive(Message)]
#[rtype(result = "ServiceResult<i64>")]
pub struct UsedBytes {
    pub owner: i64,
}

impl Handler<UsedBytes> for UploadStore {
    type Result = ServiceResult<i64>;
    fn handle(&mut self, msg: UsedBytes, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        Ok(uploads::used_bytes(&mut conn, msg.owner)?)
    }
}

/// Stores the row of an upload whose bytes are in storage, unless that
/// would pass `quota` (then `QuotaExceeded`, and the caller deletes the bytes).
#[derive(Message)]
#[rtype(result = "ServiceResult<StoredUpload>")]
pub struct Record {
    pub new: NewUpload,
    pub quota: i64,
}

impl Handler<Record> for UploadStore {
    type Result = ServiceResult<StoredUpload>;
    fn handle(&mut self, msg: Record, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let outcome = db::write_transaction(&mut conn, |c| {
            uploads::create_within_quota(c, &msg.new, msg.quota)
        })?;
        match outcome {
            Ok(row) => Ok(row.into()),
            Err(Refused::Quota) => Err(ServiceError::QuotaExceeded),
            Err(Refused::NoOwner) => Err(ServiceError::Unauthorized("account no longer exists")),
        }
    }
}

/// An upload by id, while its owner exists.
#[derive(Message)]
#[rtype(result = "ServiceResult<Option<StoredUpload>>")]
pub struct FindUpload {
    pub id: i64,
}

impl Handler<FindUpload> for UploadStore {
    type Result = ServiceResult<Option<StoredUpload>>;
    fn handle(&mut self, msg: FindUpload, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        Ok(uploads::find(&mut conn, msg.id)?.map(Into::into))
    }
}

/// Deletes up to `limit` unreachable rows (see
/// [`uploads::delete_unreachable`]) and returns their storage keys.
#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<StoredKeys>>")]
pub struct TakeUnreachable {
    pub cutoff: NaiveDateTime,
    pub limit: i64,
}

impl Handler<TakeUnreachable> for UploadStore {
    type Result = ServiceResult<Vec<StoredKeys>>;
    fn handle(&mut self, msg: TakeUnreachable, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        Ok(db::write_transaction(&mut conn, |c| {
            uploads::delete_unreachable(c, msg.cutoff, msg.limit)
        })?)
    }
}
