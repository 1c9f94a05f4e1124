//! Files in a directory. object_store's `LocalFileSystem` writes each object
//! to a staging name beside its key and renames it when complete, so a
//! reader never sees half a file; an aborted write removes the staging file.

use std::path::Path;
use std::sync::Arc;

use object_store::local::LocalFileSystem;

use super::{Storage, StorageError};

/// Each part of a streamed upload is one `write` on a blocking thread.
const PART_SIZE: usize = 256 * 1024;

/// Stores under `dir`, created if missing.
pub fn open(dir: &Path) -> Result<Storage, StorageError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| StorageError::Config(format!("cannot create {}: {e}", dir.display())))?;
    let store = LocalFileSystem::new_with_prefix(dir)?
        // Removes the key's directories once they are empty after a delete.
        .with_automatic_cleanup(true)
        // A 201 means the bytes survive a crash, as a stored message does.
        .with_fsync(true);
    Ok(Storage::new(Arc::new(store), PART_SIZE, "disk"))
}
