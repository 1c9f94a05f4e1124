//! The accounts actor: accounts and the operations that need password
//! hashing or token issuing (sign-in, refresh-token rotation, deletion,
//! roles). It runs on a `SyncArbiter`, so Argon2 and Diesel never block the
//! HTTP workers.

mod blocks;
mod invites;
mod manage;
mod passwords;
mod profile;
mod sign_in;

use std::sync::Arc;

use actix::{Actor, SyncContext};

use super::announce::Announcer;
use super::block_book::BlockBook;
use super::bus::{Bus, Event};
use crate::db::{DbPool, PooledConn};
use crate::domain::UserId;
use crate::security::access::AccessCache;
use crate::security::jwt::JwtKeys;

pub use blocks::{Block, ListBlocks, Unblock};
pub use invites::{CreateInvite, DeleteInvite, ListInvites};
pub use manage::{Confirm, DeleteUser, GetUser, LoadAccesses, SearchUsers, SetDisabled, SetRole};
pub use passwords::{ChangePassword, CreateResetLink, ResetPassword};
pub use profile::SetProfile;
pub use sign_in::{Guest, Login, Logout, Refresh, Register, ResolveLogin, TokenPair};

use super::ServiceResult;

/// How long what the accounts actor hands out lives, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub refresh_token_secs: u32,
    /// How long after its use a refresh token may be presented again.
    pub reuse_grace_secs: u32,
    pub reset_link_secs: u32,
}

pub struct AccountsActor {
    pool: DbPool,
    keys: Arc<JwtKeys>,
    access: Arc<AccessCache>,
    announce: Announcer,
    bus: Bus,
    book: Arc<BlockBook>,
    refresh_ttl: chrono::Duration,
    reset_ttl: chrono::Duration,
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
        book: Arc<BlockBook>,
        lifetimes: Lifetimes,
    ) -> Self {
        AccountsActor {
            pool,
            keys,
            access,
            announce,
            bus,
            book,
            refresh_ttl: chrono::Duration::seconds(lifetimes.refresh_token_secs.into()),
            reset_ttl: chrono::Duration::seconds(lifetimes.reset_link_secs.into()),
            reuse_grace: chrono::Duration::seconds(lifetimes.reuse_grace_secs.into()),
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
