//! Avatars from uploads: the caller's image upload, cropped to a centred
//! 256 px square and stored as an upload of its own (counted in the quota,
//! kept by the sweep while a profile points at it).

use actix::{Handler, Message};
use actix_web::web;
use bytes::BytesMut;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::ingest::{new_key, MAX_IMAGE_BYTES};
use super::store::UploadStore;
use super::{mailbox, Files};
use crate::actors::{ServiceError, ServiceResult};
use crate::db::uploads::{self, NewUpload};
use crate::domain::{StoredUpload, UserId};
use crate::media::{self, Kind};

/// A reachable upload owned by `owner`.
#[derive(Message)]
#[rtype(result = "ServiceResult<Option<StoredUpload>>")]
pub struct FindOwned {
    pub id: i64,
    pub owner: i64,
}

impl Handler<FindOwned> for UploadStore {
    type Result = ServiceResult<Option<StoredUpload>>;
    fn handle(&mut self, msg: FindOwned, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        Ok(uploads::find_owned(&mut conn, msg.id, msg.owner)?.map(Into::into))
    }
}

/// An upload that is someone's current avatar.
#[derive(Message)]
#[rtype(result = "ServiceResult<Option<StoredUpload>>")]
pub struct FindAvatar {
    pub id: i64,
}

impl Handler<FindAvatar> for UploadStore {
    type Result = ServiceResult<Option<StoredUpload>>;
    fn handle(&mut self, msg: FindAvatar, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        Ok(uploads::find_avatar(&mut conn, msg.id)?.map(Into::into))
    }
}

const FIELD: &str = "avatar_upload_id";

impl Files {
    /// Makes `owner`'s avatar from its upload `upload_id`; returns the new
    /// avatar upload. Not the caller's or gone → `422`, like a bad value.
    pub async fn make_avatar(&self, owner: UserId, upload_id: i64) -> ServiceResult<StoredUpload> {
        let source = self
            .store
            .send(FindOwned {
                id: upload_id,
                owner: owner.0,
            })
            .await
            .map_err(mailbox)??
            .ok_or(ServiceError::Invalid(FIELD, "no such upload of yours"))?;
        if !source.content_type.starts_with("image/") || source.size as u64 > MAX_IMAGE_BYTES {
            return Err(ServiceError::Invalid(FIELD, "not an image"));
        }
        let storage_error = |e: crate::storage::StorageError| {
            ServiceError::Internal(format!("reading upload {upload_id}: {e}"))
        };
        let mut stream = self
            .storage
            .get(&source.storage_key, None)
            .await
            .map_err(storage_error)?;
        let mut bytes = BytesMut::with_capacity(source.size as usize);
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk.map_err(storage_error)?);
        }
        let Kind::Image(format) = media::sniff(&bytes).kind else {
            return Err(ServiceError::Invalid(FIELD, "not an image"));
        };
        let permit = self
            .image_jobs
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let made = web::block(move || media::avatar::avatar(&bytes, format))
            .await
            .map_err(|e| ServiceError::Internal(format!("avatar: {e}")))?;
        drop(permit);
        let (avatar, content_type) = made.map_err(|e| match e {
            media::MediaError::TooLarge => {
                ServiceError::Invalid(FIELD, "image too large to process")
            }
            media::MediaError::Invalid => ServiceError::Invalid(FIELD, "not a valid image"),
        })?;
        self.store_avatar(owner, avatar, content_type).await
    }

    async fn store_avatar(
        &self,
        owner: UserId,
        avatar: bytes::Bytes,
        content_type: &'static str,
    ) -> ServiceResult<StoredUpload> {
        let key = new_key();
        let new = NewUpload {
            owner_id: Some(owner.0),
            storage_key: key.clone(),
            name: if content_type == "image/png" {
                "avatar.png"
            } else {
                "avatar.jpg"
            }
            .into(),
            content_type: content_type.into(),
            size: avatar.len() as i64,
            sha256: crate::security::hex(&Sha256::digest(&avatar)),
            width: Some(media::avatar::AVATAR_SIDE as i32),
            height: Some(media::avatar::AVATAR_SIDE as i32),
            duration_ms: None,
            thumb_key: None,
            thumb_content_type: None,
            thumb_size: None,
            created_at: chrono::Utc::now().naive_utc(),
        };
        self.storage
            .put(&key, avatar)
            .await
            .map_err(|e| ServiceError::Internal(format!("storing avatar: {e}")))?;
        let quota = i64::try_from(self.limits.quota).unwrap_or(i64::MAX);
        let recorded = self
            .store
            .send(super::store::Record { new, quota })
            .await
            .map_err(mailbox);
        match recorded {
            Ok(Ok(row)) => Ok(row),
            Ok(Err(e)) | Err(e) => {
                if let Err(del) = self.storage.delete(&key).await {
                    log::warn!("removing an unrecorded avatar {key}: {del}");
                }
                Err(e)
            }
        }
    }

    /// Someone's current avatar, for `GET /api/v1/avatars/{id}`.
    pub async fn find_avatar(&self, id: i64) -> ServiceResult<Option<StoredUpload>> {
        self.store.send(FindAvatar { id }).await.map_err(mailbox)?
    }
}
