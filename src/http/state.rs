//! What every handler can reach.

use std::sync::Arc;

use crate::actors::Services;
use crate::config::Settings;
use crate::limits::Window;

pub struct AppState {
    pub svc: Arc<Services>,
    pub settings: Arc<Settings>,
    /// Register, login and guest per client address.
    pub auth_per_ip: Window,
    /// Failed password checks per (account, client address)...
    pub login_failures: Window,
    /// ...and per account from every address together.
    pub login_failures_total: Window,
    /// Chats created per user...
    pub chat_creations: Window,
    /// ...and members added per user (also those named at creation).
    pub member_adds: Window,
}
