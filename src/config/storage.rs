//! Where uploads are kept: an S3 bucket or a directory.

use std::path::PathBuf;

use super::Settings;

/// Where uploads are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStorage {
    Disk(PathBuf),
    S3 {
        endpoint: Option<String>,
        bucket: String,
        region: String,
    },
}

impl Settings {
    /// The S3 bucket when one is configured, else the files directory:
    /// `--files-dir`, or `files/` beside the SQLite database, or `./files`.
    pub fn file_storage(&self) -> FileStorage {
        if let Some(bucket) = &self.s3_bucket {
            return FileStorage::S3 {
                endpoint: self.s3_endpoint.clone(),
                bucket: bucket.clone(),
                region: self.s3_region.clone(),
            };
        }
        if let Some(dir) = &self.files_dir {
            return FileStorage::Disk(dir.clone());
        }
        let sqlite = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"));
        let beside = sqlite
            .map(std::path::Path::new)
            .and_then(std::path::Path::parent)
            .map(|dir| dir.join("files"));
        FileStorage::Disk(beside.unwrap_or_else(|| PathBuf::from("files")))
    }
}
