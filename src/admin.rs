//! Administration subcommands run by the same binary.

use crate::config::Settings;
use crate::db::{self, users};
use crate::domain::Role;
use crate::startup::{prepare_database, StartupError};

pub fn migrate(settings: &Settings) -> Result<(), StartupError> {
    prepare_database(settings)?;
    println!("database is up to date");
    Ok(())
}

/// `microchat user set-role <username> <role>`: how the first admin is made.
pub fn set_role(settings: &Settings, username: &str, role: &str) -> Result<(), StartupError> {
    let role = Role::parse(role).ok_or_else(|| {
        StartupError::Config(format!("unknown role {role:?}: use guest, user or admin"))
    })?;
    let pool = prepare_database(settings)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let user = users::find_by_username(&mut conn, &username.to_ascii_lowercase())?
        .ok_or_else(|| StartupError::Config(format!("no user named {username:?}")))?;
    users::set_role(&mut conn, user.id, role.as_str())?;
    println!("{} is now {}", user.username, role.as_str());
    Ok(())
}
