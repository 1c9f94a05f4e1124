//! Administration subcommands run by the same binary.

use crate::config::Settings;
use crate::db::{users, DbError};
use crate::domain::Role;
use crate::startup::{prepare_database, StartupError};

/// Why an administration command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("unknown role {0:?}: use guest, user or admin")]
    UnknownRole(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error("that is the last admin: make another admin first")]
    LastAdmin,
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub fn migrate(settings: &Settings) -> Result<(), AdminError> {
    prepare_database(settings)?;
    println!("database is up to date");
    Ok(())
}

/// `microchat user set-role <username> <role>`: how the first admin is made.
pub fn set_role(settings: &Settings, username: &str, role: &str) -> Result<(), AdminError> {
    let role = Role::parse(role).ok_or_else(|| AdminError::UnknownRole(role.to_owned()))?;
    let pool = prepare_database(settings)?;
    let mut conn = pool.get()?;
    let user = users::find_by_username(&mut conn, &username.to_ascii_lowercase())?
        .ok_or_else(|| AdminError::NoSuchUser(username.to_owned()))?;
    match users::set_role(&mut conn, user.id, role)? {
        users::RoleChange::Changed(_) => {}
        users::RoleChange::NoSuchUser => return Err(AdminError::NoSuchUser(username.to_owned())),
        users::RoleChange::LastAdmin => return Err(AdminError::LastAdmin),
    }
    println!("{} is now {}", user.username, role.as_str());
    Ok(())
}
