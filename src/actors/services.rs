//! Handles to every actor and shared cache, bundled for whoever needs them
//! (HTTP handlers, WebSocket sessions).

use std::sync::Arc;

use actix::{Addr, Handler, Message};
use tokio::sync::Semaphore;

use super::accounts::AccountsActor;
use super::bus::Bus;
use super::caps::WsCaps;
use super::chats::ChatStore;
use super::history::HistoryWriter;
use super::hub::Hub;
use super::lookups::Lookups;
use super::rooms::Rooms;
use super::send_budget::SendBudgets;
use super::uploads::Files;
use super::{ServiceError, ServiceResult};
use crate::db::{self, DbPool};
use crate::domain::UserId;
use crate::metrics::Metrics;
use crate::security::access::{Access, AccessCache};
use crate::security::jwt::{Claims, JwtKeys};

/// WebSocket limits (documented defaults in the README).
#[derive(Debug, Clone, Copy)]
pub struct WsLimits {
    /// Sustained sends per second per session.
    pub send_rate: u32,
    /// Sends a session may burst above the sustained rate.
    pub send_burst: u32,
    /// Frames queued for a slow reader before its socket is closed.
    pub outbound_queue: usize,
    /// Bytes queued for a slow reader (both lanes) before its socket is closed.
    pub outbound_bytes: usize,
    /// Frames of any type per second per session, and their burst.
    pub frame_rate: u32,
    pub frame_burst: u32,
    /// Chats larger than this carry no presence frames (told in `ready`).
    pub presence_max_members: u32,
}

pub struct Services {
    pub accounts: Addr<AccountsActor>,
    pub chats: Addr<ChatStore>,
    /// Access checks and `ready`'s reads, coalesced across sessions.
    pub lookups: Lookups,
    pub hub: Addr<Hub>,
    pub rooms: Rooms,
    pub bus: Bus,
    pub writer: Addr<HistoryWriter>,
    pub access: Arc<AccessCache>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
    pub ws: WsLimits,
    /// Open sockets per user and per client address.
    pub ws_caps: WsCaps,
    /// Sends per user, WebSocket and REST together.
    pub sends: SendBudgets,
    /// The accounts actor on threads of its own, for what checks or hashes
    /// a password.
    pub passwords: Passwords,
    /// Uploads: storage, their rows, signed URLs.
    pub files: Arc<Files>,
    /// For readiness checks, which must not queue behind account work.
    pub pool: DbPool,
}

/// Accounts work that runs Argon2, on its own threads behind a bounded queue.
pub struct Passwords {
    addr: Addr<AccountsActor>,
    slots: Arc<Semaphore>,
}

impl Passwords {
    pub fn new(addr: Addr<AccountsActor>, queue: usize) -> Passwords {
        Passwords {
            addr,
            slots: Arc::new(Semaphore::new(queue)),
        }
    }

    /// Runs `msg`; a full queue is `RateLimited` rather than a longer wait.
    pub async fn send<M, R>(&self, msg: M) -> ServiceResult<R>
    where
        M: Message<Result = ServiceResult<R>> + Send + 'static,
        R: Send + 'static,
        AccountsActor: Handler<M>,
    {
        let _slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| ServiceError::RateLimited(1))?;
        self.addr
            .send(msg)
            .await
            .map_err(|e| ServiceError::Internal(format!("accounts actor: {e}")))?
    }
}

impl Services {
    /// Who `user_id` is now (current role), from the cache or the database;
    /// `None` when the account no longer exists.
    pub async fn access(&self, user_id: UserId) -> ServiceResult<Option<Arc<Access>>> {
        if let Some(answer) = self.access.get(user_id) {
            return Ok(answer);
        }
        let epoch = self.access.epoch();
        let loaded = self.lookups.access.get(user_id).await?;
        Ok(self.access.put(user_id, loaded, epoch))
    }

    /// Readiness: whether the database answers, asked on a blocking thread.
    pub async fn database_ready(&self) -> Result<(), String> {
        let pool = self.pool.clone();
        let ping = move || -> Result<(), db::DbError> { db::ping(&mut *pool.get()?) };
        match actix_web::rt::task::spawn_blocking(ping).await {
            Ok(answer) => answer.map_err(|e| e.to_string()),
            Err(e) => Err(format!("readiness check: {e}")),
        }
    }

    /// Verifies a bearer token (signature, algorithm, expiry) and resolves
    /// the account it names as of now.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<(Arc<Access>, Claims)> {
        let claims = self
            .keys
            .verify(token)
            .ok_or(ServiceError::Unauthorized("invalid or expired token"))?;
        let user_id = claims
            .user_id()
            .ok_or(ServiceError::Unauthorized("invalid token subject"))?;
        let access = self
            .access(user_id)
            .await?
            .ok_or(ServiceError::Unauthorized("account disabled or deleted"))?;
        Ok((access, claims))
    }
}
