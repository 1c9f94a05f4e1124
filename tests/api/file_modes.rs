//! The SQLite database holds the generated JWT secret: only its owner may
//! read it (and its WAL and shared-memory files).

use std::os::unix::fs::PermissionsExt;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_sqlite_files_are_readable_by_their_owner_only() {
    let app = spawn_app().await;
    let Some(path) = app.settings.database_url.strip_prefix("sqlite://") else {
        return; // PostgreSQL: nothing on disk here.
    };
    // Something written, so the WAL exists.
    app.signup("ann").await;
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        let mode = std::fs::metadata(&file).expect(&file).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is {mode:o}");
    }
}
