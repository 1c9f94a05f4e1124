//! WebSocket close codes of the contract (beyond 1000 normal and 1009 too
//! big, which the socket layer sends itself).

/// The token expired and was not renewed, or the first `auth` was bad.
pub const TOKEN_EXPIRED: u16 = 4001;
/// The account was deleted or lost access.
pub const REVOKED: u16 = 4003;
/// The client read too slowly; it should reconnect and `sync`.
pub const TOO_SLOW: u16 = 4008;
/// The server is shutting down (pending sends were committed and acked).
pub const GOING_AWAY: u16 = 1001;
/// The server could not set the session up.
pub const INTERNAL: u16 = 1011;
/// A limit on open sockets: the user has too many (authenticated by an
/// `auth` frame; an upgrade with a token is refused with 429 instead).
pub const POLICY: u16 = 1008;
