//! What every handler can reach.

use std::sync::Arc;

use super::rate_limit::RateLimiter;
use crate::actors::Services;
use crate::config::Settings;

pub struct AppState {
    pub svc: Arc<Services>,
    pub settings: Arc<Settings>,
    /// Register, login and guest per client address.
    pub auth_per_ip: RateLimiter,
    /// Failed password checks per (account, client address)...
    pub login_failures: RateLimiter,
    /// ...and per account from every address together.
    pub login_failures_total: RateLimiter,
}
