//! Uploads: taking files in ([`ingest`]), their rows ([`store`]), the sweep
//! of unreachable ones ([`sweep`]), and the objects and signed URLs clients
//! see. [`Files`] is the one handle the HTTP layer uses; messages sign
//! their attachments' URLs with the same [`FileUrls`].

pub mod avatar;
pub mod ingest;
pub mod store;
pub mod sweep;

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr, SyncArbiter};
use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::Semaphore;

pub use ingest::{IngestError, Stored};
pub use store::UploadStore;
pub use sweep::SweepSignal;

use super::{ServiceError, ServiceResult};
use crate::config::Settings;
use crate::db::uploads::NewUpload;
use crate::db::DbPool;
use crate::domain::{DurationMs, FileName, StoredUpload, UserId};
use crate::media::Kind;
use crate::security::file_urls::FileUrls;
use crate::storage::Storage;

#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest file, in bytes (`--max-upload-bytes`).
    pub max_bytes: u64,
    /// Bytes each user may keep (`--upload-quota-bytes`).
    pub quota: u64,
}

pub struct Files {
    pub store: Addr<UploadStore>,
    pub storage: Storage,
    pub urls: Arc<FileUrls>,
    pub limits: UploadLimits,
    /// Images decoded at once: decoding is CPU-bound and each may hold up
    /// to the decoder's allocation limit.
    image_jobs: Semaphore,
}

/// Threads for upload rows (quota checks, lookups for file downloads).
const STORE_THREADS: usize = 2;

fn mailbox(e: actix::MailboxError) -> ServiceError {
    ServiceError::Internal(format!("upload store: {e}"))
}

impl Files {
    /// Starts the upload store and the sweep with the configured limits.
    pub fn start(
        settings: &Settings,
        pool: DbPool,
        storage: Storage,
        urls: Arc<FileUrls>,
        signal: SweepSignal,
    ) -> Arc<Files> {
        let store = SyncArbiter::start(STORE_THREADS, move || UploadStore::new(pool.clone()));
        let limits = UploadLimits {
            max_bytes: settings.max_upload_bytes,
            quota: settings.upload_quota_bytes,
        };
        let files = Arc::new(Files::new(store, storage, urls, limits));
        sweep::Sweeper::new(
            files.clone(),
            Duration::from_secs(settings.upload_sweep_interval.into()),
            Duration::from_secs(settings.upload_orphan_ttl.into()),
            signal,
        )
        .start();
        files
    }

    pub fn new(
        store: Addr<UploadStore>,
        storage: Storage,
        urls: Arc<FileUrls>,
        limits: UploadLimits,
    ) -> Files {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Files {
            store,
            storage,
            urls,
            limits,
            image_jobs: Semaphore::new(cores),
        }
    }

    /// Bytes `owner` has stored.
    pub async fn used_bytes(&self, owner: UserId) -> ServiceResult<u64> {
        let used = self
            .store
            .send(store::UsedBytes { owner: owner.0 })
            .await
            .map_err(mailbox)??;
        Ok(used.max(0) as u64)
    }

    /// Streams one file into storage; see [`ingest`]. `remaining_quota` stops
    /// the stream as soon as the caller's quota is passed.
    pub async fn ingest<S, E>(&self, body: S, remaining_quota: u64) -> Result<Stored, IngestError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        ingest::ingest(self, body, remaining_quota).await
    }

    /// Records stored bytes as `owner`'s upload, checking the quota again
    /// (authoritatively, in one transaction). On any failure the bytes are
    /// deleted.
    pub async fn record(
        &self,
        owner: UserId,
        name: FileName,
        stored: Stored,
        duration: Option<DurationMs>,
    ) -> ServiceResult<StoredUpload> {
        let image = stored.image.as_ref();
        let new = NewUpload {
            owner_id: Some(owner.0),
            storage_key: stored.key.clone(),
            name: name.into_inner(),
            content_type: stored.content_type.clone(),
            size: stored.size as i64,
            sha256: stored.sha256.clone(),
            width: image.map(|i| i.width as i32),
            height: image.map(|i| i.height as i32),
            duration_ms: duration.filter(|_| stored.kind == Kind::Audio).map(|d| d.0),
            thumb_key: image.map(|i| i.thumb_key.clone()),
            thumb_content_type: image.map(|i| i.thumb_type.to_owned()),
            thumb_size: image.map(|i| i.thumb_size as i64),
            created_at: chrono::Utc::now().naive_utc(),
        };
        let quota = i64::try_from(self.limits.quota).unwrap_or(i64::MAX);
        let row = self
            .store
            .send(store::Record { new, quota })
            .await
            .map_err(mailbox)??;
        stored.keep();
        Ok(row)
    }

    /// An upload by id while its owner exists.
    pub async fn find(&self, id: i64) -> ServiceResult<Option<StoredUpload>> {
        self.store
            .send(store::FindUpload { id })
            .await
            .map_err(mailbox)?
    }
}
