//! The accounts actor: accounts and the operations that need password
//! hashing or token issuing (sign-in, refresh-token rotation, deletion,
//! roles). It runs on a `SyncArbiter`, so Argon2 and Diesel never block the
//! HTTP workers.

mod manage;
mod sign_in;

use std::sync::Arc;

use actix::{Actor, SyncContext};

use super::announce::Announcer;
use super::bus::{Bus, Event};
use crate::db::{DbPool, PooledConn};
use crate::domain::UserId;
use crate::security::access::AccessCache;
use crate::security::jwt::JwtKeys;

pub use manage::{Confirm, DeleteUser, GetUser, LoadAccess, SearchUsers, SetRole};
pub use sign_in::{Guest, Login, Logout, Refresh, Register, ResolveLogin, TokenPair};

use super::ServiceResult;

pub struct AccountsActor {
    pool: DbPool,
    keys: Arc<JwtKeys>,
    access: Arc<AccessCache>,
    announce: Announcer,
    bus: Bus,
    refresh_ttl: chrono::Duration,
    /// How long after its use a refresh token may be presented again.
    reuse_grace: chrono::Duration,
}

impl AccountsActor {
    pub fn new(
        pool: DbPool,
        keys: Arc<JwtKeys>,
        access: Arc<AccessCache>,
        announce: Announcer,
        bus: Bus,
        refresh_ttl_secs: u32,
        reuse_grace_secs: u32,
    ) -> Self {
        AccountsActor {
            pool,
            keys,
            access,
            announce,
            bus,
            refresh_ttl: chrono::Duration::seconds(refresh_ttl_secs.into()),
            reuse_grace: chrono::Duration::seconds(reuse_grace_secs.into()),
        }
    }

    fn conn(&self) -> ServiceResult<PooledConn> {
        Ok(self.pool.get()?)
    }
}

impl Actor for AccountsActor {
    type Context = SyncContext<Self>;
}

impl AccountsActor {
    /// Drops cached access checks for the user here and on other instances.
    fn invalidate(&self, user_id: UserId) {
        self.access.invalidate(user_id);
        self.bus.publish(Event::Invalidate { user_id });
    }
}
