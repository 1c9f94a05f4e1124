//! An S3-compatible bucket (AWS, MinIO, Garage, Ceph…), through
//! object_store's `AmazonS3`: SigV4 signing, multipart uploads, ranged gets.
//! Keys come from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, optionally `AWS_SESSION_TOKEN`).

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;

use super::{Storage, StorageError};

/// S3's minimum size for every part but the last.
const PART_SIZE: usize = 5 * 1024 * 1024;

pub struct S3Settings<'a> {
    /// `http(s)://host[:port]`; `None` for AWS itself.
    pub endpoint: Option<&'a str>,
    pub bucket: &'a str,
    pub region: &'a str,
}

pub fn open(s: &S3Settings) -> Result<Storage, StorageError> {
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(s.bucket)
        .with_region(s.region);
    if let Some(endpoint) = s.endpoint {
        // Self-hosted servers are usually addressed by path, and may be
        // plain HTTP on a private network.
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    let store = builder.build()?;
    Ok(Storage::new(Arc::new(store), PART_SIZE, "s3"))
}
