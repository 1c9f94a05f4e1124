//! Where uploaded bytes live: one interface, object_store's `ObjectStore`,
//! with two implementations chosen by settings — a directory on disk
//! ([`disk`]) or an S3-compatible bucket ([`s3`]). Keys are opaque strings
//! made by the caller. Nothing here knows about the database.

pub mod disk;
pub mod s3;

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such object")]
    NotFound,
    #[error("storage: {0}")]
    Backend(#[from] object_store::Error),
    #[error("storage configuration: {0}")]
    Config(String),
}

impl StorageError {
    fn from_store(e: object_store::Error) -> StorageError {
        match e {
            object_store::Error::NotFound { .. } => StorageError::NotFound,
            other => StorageError::Backend(other),
        }
    }
}

/// Opens the store the settings name.
pub fn open(which: &crate::config::FileStorage) -> Result<Storage, StorageError> {
    use crate::config::FileStorage;
    match which {
        FileStorage::Disk(dir) => disk::open(dir),
        FileStorage::S3 {
            endpoint,
            bucket,
            region,
        } => s3::open(&s3::S3Settings {
            endpoint: endpoint.as_deref(),
            bucket,
            region,
        }),
    }
}

/// The configured store, cheap to clone.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Bytes buffered per part of a streamed upload: small on disk (each part
    /// is one write), 5 MiB on S3 (its minimum part size).
    part_size: usize,
    kind: &'static str,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.kind)
    }
}

impl Storage {
    fn new(store: Arc<dyn ObjectStore>, part_size: usize, kind: &'static str) -> Storage {
        Storage {
            store,
            part_size,
            kind,
        }
    }

    /// `"disk"` or `"s3"`, for logs.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Starts a streamed write of `key`; nothing is visible under `key` until
    /// [`Writer::finish`] succeeds.
    pub async fn writer(&self, key: &str) -> Result<Writer, StorageError> {
        let upload = self
            .store
            .put_multipart(&Path::from(key))
            .await
            .map_err(StorageError::from_store)?;
        Ok(Writer {
            inner: Some(WriteMultipart::new_with_chunk_size(upload, self.part_size)),
        })
    }

    /// Stores a small object in one request.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map_err(StorageError::from_store)?;
        Ok(())
    }

    /// Streams `range` of `key` (the whole object when `None`).
    pub async fn get(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, StorageError>>, StorageError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let result = self
            .store
            .get_opts(&Path::from(key), options)
            .await
            .map_err(StorageError::from_store)?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(StorageError::from_store))
            .boxed())
    }

    /// Deletes `key`; an object already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Backend(e)),
        }
    }

    /// Whether `key` exists (tests and the sweep's checks).
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self.store.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(StorageError::Backend(e)),
        }
    }
}

/// A streamed write in progress. Dropped without [`Writer::finish`], it
/// aborts in the background: the staged file (disk) or the multipart upload
/// (S3) is removed, so a failed or cancelled upload leaves nothing behind.
pub struct Writer {
    inner: Option<WriteMultipart>,
}

/// Parts of one upload in flight at once: bounds the memory of a fast
/// client on a slow store to about two parts.
const PARTS_IN_FLIGHT: usize = 1;

impl Writer {
    /// Appends `chunk`, waiting while earlier parts are still being stored.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StorageError> {
        let inner = self.inner.as_mut().expect("writer used after finish");
        inner
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(StorageError::from_store)?;
        inner.write(chunk);
        Ok(())
    }

    /// Makes the object visible under its key.
    pub async fn finish(mut self) -> Result<(), StorageError> {
        let inner = self.inner.take().expect("writer finished twice");
        inner.finish().await.map_err(StorageError::from_store)?;
        Ok(())
    }

    /// Removes whatever was written so far.
    pub async fn abort(mut self) {
        if let Some(inner) = self.inner.take() {
            if let Err(e) = inner.abort().await {
                log::warn!("aborting an upload: {e}");
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(async move {
                if let Err(e) = inner.abort().await {
                    log::warn!("aborting a dropped upload: {e}");
                }
            })),
            // No runtime to abort on: dropping still removes a staged
            // file; an S3 multipart upload is left to the bucket's
            // lifecycle rule (see the README).
            Err(_) => drop(inner),
        }
    }
}
