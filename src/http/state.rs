//! What every handler can reach.

use std::sync::Arc;

use actix::Addr;

use super::rate_limit::RateLimiter;
use crate::actors::auth::AuthActor;
use crate::auth::access::AccessCache;
use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::metrics::Metrics;

pub struct AppState {
    pub auth: Addr<AuthActor>,
    pub access: Arc<AccessCache>,
    pub keys: Arc<JwtKeys>,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    /// Register, login and guest per client address.
    pub auth_per_ip: RateLimiter,
    /// Failed logins per account name.
    pub login_failures: RateLimiter,
}
