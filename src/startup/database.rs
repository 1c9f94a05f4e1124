//! The database, connected and migrated before anything uses it.

use crate::config::Settings;
use crate::db::{self, DbPool};

use super::StartupError;

/// Connects and applies pending migrations.
pub fn prepare_database(settings: &Settings) -> Result<DbPool, StartupError> {
    let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = pool.get()?;
    let applied = db::migrate(&mut conn)?;
    if applied > 0 {
        log::info!("applied {applied} database migrations");
    }
    Ok(pool)
}
