//! Handles to every actor and shared cache, bundled for whoever needs them
//! (HTTP handlers, WebSocket sessions).

use std::sync::Arc;

use actix::Addr;

use super::auth::{AuthActor, LoadAccess};
use super::bus::Bus;
use super::chats::ChatStore;
use super::history::HistoryWriter;
use super::hub::Hub;
use super::rooms::Rooms;
use super::uploads::Files;
use super::{ServiceError, ServiceResult};
use crate::auth::access::{Access, AccessCache};
use crate::auth::jwt::{Claims, JwtKeys};
use crate::metrics::Metrics;

/// WebSocket limits (documented defaults in the README).
#[derive(Debug, Clone, Copy)]
pub struct WsLimits {
    /// Sustained sends per second per session.
    pub send_rate: u32,
    /// Sends a session may burst above the sustained rate.
    pub send_burst: u32,
    /// Frames queued for a slow reader before its socket is closed.
    pub outbound_queue: usize,
}

pub struct Services {
    pub auth: Addr<AuthActor>,
    pub chats: Addr<ChatStore>,
    pub hub: Addr<Hub>,
    pub rooms: Rooms,
    pub bus: Bus,
    pub writer: Addr<HistoryWriter>,
    pub access: Arc<AccessCache>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
    pub ws: WsLimits,
    /// Uploads: storage, their rows, signed URLs.
    pub files: Arc<Files>,
}

impl Services {
    /// Who `user_id` is now (current role), from the cache or the database;
    /// `None` when the account no longer exists.
    pub async fn access(&self, user_id: i64) -> ServiceResult<Option<Arc<Access>>> {
        if let Some(answer) = self.access.get(user_id) {
            return Ok(answer);
        }
        let epoch = self.access.epoch();
        let loaded = self
            .auth
            .send(LoadAccess { user_id })
            .await
            .map_err(|e| ServiceError::Internal(format!("auth actor: {e}")))??;
        Ok(self.access.put(user_id, loaded, epoch))
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
            .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
        Ok((access, claims))
    }
}
