//! Values of `details.reason` on a `403`: what a client shows (or does)
//! when a request is refused for a reason other than its role.

/// Registration is `closed`.
pub const REGISTRATION_CLOSED: &str = "registration_closed";
/// Registration needs an invite and none was given.
pub const INVITE_REQUIRED: &str = "invite_required";
/// No such invite code (never made, or revoked).
pub const INVITE_UNKNOWN: &str = "invite_unknown";
pub const INVITE_EXPIRED: &str = "invite_expired";
/// The invite's `max_uses` are all taken.
pub const INVITE_USED_UP: &str = "invite_used_up";
/// `--guests off`.
pub const GUESTS_DISABLED: &str = "guests_disabled";
/// The account was disabled by an admin.
pub const DISABLED: &str = "disabled";
/// The other user blocked the caller.
pub const BLOCKED: &str = "blocked";
/// `--add-policy shared` and the two users have nothing in common.
pub const NOT_CONNECTED: &str = "not_connected";
