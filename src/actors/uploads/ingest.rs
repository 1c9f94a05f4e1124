//! Taking an upload's bytes in as they arrive: sniff the head, then stream
//! to storage (memory stays at a part or two whatever the size) or, for an
//! image, spool to an unnamed temp file and process it on a blocking thread.

use std::io::{Read, Seek, Write};

use actix_web::web;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::Files;
use crate::media::{self, ImageFormat, Kind, MediaError, SNIFF_LEN};
use crate::storage::{Storage, StorageError, Writer};

/// Images are processed in memory; a file sniffed as an image but bigger
/// than this is refused (`422`) whatever `--max-upload-bytes` says.
pub const MAX_IMAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes gathered before one write to the spool file.
const SPOOL_WRITE: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("file over {0} bytes")]
    TooLarge(u64),
    #[error("upload quota exceeded")]
    Quota,
    #[error("{0}")]
    Image(#[from] MediaError),
    /// The request body broke off or was malformed.
    #[error("reading the upload: {0}")]
    Body(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Internal(String),
}

/// The bytes of one upload, in storage but not yet recorded. Dropped
/// without [`Stored::keep`], the stored objects are deleted.
pub struct Stored {
    pub kind: Kind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub key: String,
    pub image: Option<StoredImage>,
    guard: Guard,
}

pub struct StoredImage {
    pub width: u32,
    pub height: u32,
    pub thumb_key: String,
    pub thumb_type: &'static str,
    pub thumb_size: u64,
}

impl Stored {
    /// The row is recorded: the objects stay.
    pub fn keep(mut self) {
        self.guard.keys.clear();
    }
}

struct Guard {
    storage: Storage,
    keys: Vec<String>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let (storage, keys) = (self.storage.clone(), std::mem::take(&mut self.keys));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                for key in keys {
                    if let Err(e) = storage.delete(&key).await {
                        log::warn!("removing an unrecorded upload {key}: {e}");
                    }
                }
            });
        }
    }
}

/// Counts bytes against the size limit and the caller's remaining quota.
struct Budget {
    seen: u64,
    max: u64,
    remaining_quota: u64,
}

impl Budget {
    fn take(&mut self, n: usize) -> Result<(), IngestError> {
        self.seen += n as u64;
        if self.seen > self.max {
            Err(IngestError::TooLarge(self.max))
        } else if self.seen > self.remaining_quota {
            Err(IngestError::Quota)
        } else {
            Ok(())
        }
    }
}

pub(super) fn new_key() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    // A two-character prefix keeps directories (and S3 listings) small.
    format!("{}/{id}", &id[..2])
}

pub(super) async fn ingest<S, E>(
    files: &Files,
    body: S,
    remaining_quota: u64,
) -> Result<Stored, IngestError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    // The sniffing loop may see the end first; a multipart field must not
    // be polled again after that.
    let mut body = body.fuse();
    let mut budget = Budget {
        seen: 0,
        max: files.limits.max_bytes,
        remaining_quota,
    };
    let mut head = BytesMut::new();
    while head.len() < SNIFF_LEN {
        match next(&mut body).await? {
            Some(chunk) => {
                budget.take(chunk.len())?;
                head.extend_from_slice(&chunk);
            }
            None => break,
        }
    }
    let sniffed = media::sniff(&head);
    let head = head.freeze();
    match sniffed.kind {
        Kind::Image(format) => image(files, head, body, budget, format, sniffed.content_type).await,
        kind => stream(files, head, body, budget, kind, sniffed.content_type).await,
    }
}

async fn next<S, E>(body: &mut S) -> Result<Option<Bytes>, IngestError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    body.next()
        .await
        .transpose()
        .map_err(|e| IngestError::Body(e.to_string()))
}

/// Anything but an image: straight to storage.
async fn stream<S, E>(
    files: &Files,
    head: Bytes,
    mut body: S,
    mut budget: Budget,
    kind: Kind,
    content_type: String,
) -> Result<Stored, IngestError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let key = new_key();
    let mut writer = files.storage.writer(&key).await?;
    let mut hasher = Sha256::new();
    let pumped = async {
        hasher.update(&head);
        writer.write(&head).await?;
        while let Some(chunk) = next(&mut body).await? {
            budget.take(chunk.len())?;
            hasher.update(&chunk);
            writer.write(&chunk).await?;
        }
        Ok::<_, IngestError>(())
    }
    .await;
    if let Err(e) = pumped {
        writer.abort().await;
        return Err(e);
    }
    finish(writer).await?;
    Ok(Stored {
        kind,
        content_type,
        size: budget.seen,
        sha256: crate::security::hex(&hasher.finalize()),
        guard: Guard {
            storage: files.storage.clone(),
            keys: vec![key.clone()],
        },
        key,
        image: None,
    })
}

async fn finish(writer: Writer) -> Result<(), IngestError> {
    Ok(writer.finish().await?)
}

/// An image: spooled to disk while it arrives, then decoded, thumbnailed
/// and stripped with at most one image per core in memory at once.
async fn image<S, E>(
    files: &Files,
    head: Bytes,
    mut body: S,
    mut budget: Budget,
    format: ImageFormat,
    content_type: String,
) -> Result<Stored, IngestError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let blocking = |e: actix_web::error::BlockingError| IngestError::Internal(e.to_string());
    let io = |e: std::io::Error| IngestError::Internal(format!("spool file: {e}"));
    let mut spool = web::block(tempfile::tempfile)
        .await
        .map_err(blocking)?
        .map_err(io)?;
    let mut pending = BytesMut::from(&head[..]);
    loop {
        let chunk = next(&mut body).await?;
        if let Some(chunk) = &chunk {
            budget.take(chunk.len())?;
            if budget.seen > MAX_IMAGE_BYTES {
                return Err(MediaError::TooLarge.into());
            }
            pending.extend_from_slice(chunk);
        }
        if pending.len() >= SPOOL_WRITE || (chunk.is_none() && !pending.is_empty()) {
            let data = pending.split().freeze();
            spool = web::block(move || spool.write_all(&data).map(|()| spool))
                .await
                .map_err(blocking)?
                .map_err(io)?;
        }
        if chunk.is_none() {
            break;
        }
    }

    let _permit = files
        .image_jobs
        .acquire()
        .await
        .map_err(|e| IngestError::Internal(e.to_string()))?;
    let processed = web::block(move || {
        let mut bytes = Vec::new();
        spool.rewind()?;
        spool.read_to_end(&mut bytes)?;
        Ok::<_, std::io::Error>(media::process(Bytes::from(bytes), format))
    })
    .await
    .map_err(blocking)?
    .map_err(io)??;
    drop(_permit);

    let key = new_key();
    let thumb_key = format!("{key}.thumb");
    let mut guard = Guard {
        storage: files.storage.clone(),
        keys: Vec::new(),
    };
    let sha256 = crate::security::hex(&Sha256::digest(&processed.stripped));
    let size = processed.stripped.len() as u64;
    let thumb_size = processed.thumbnail.len() as u64;
    guard.keys.push(key.clone());
    files.storage.put(&key, processed.stripped).await?;
    guard.keys.push(thumb_key.clone());
    files.storage.put(&thumb_key, processed.thumbnail).await?;
    Ok(Stored {
        kind: Kind::Image(format),
        content_type,
        size,
        sha256,
        key,
        image: Some(StoredImage {
            width: processed.width,
            height: processed.height,
            thumb_key,
            thumb_type: processed.thumbnail_type,
            thumb_size,
        }),
        guard,
    })
}
