//! Domain newtypes: parsed once at the edge, trusted everywhere after.

mod change;
mod chat;
mod email;
mod ids;
mod invite;
mod password;
mod profile;
mod role;
pub mod text;
mod upload;
mod user;
mod username;

pub use change::{Change, ChangeRequest};
pub use chat::{
    AttachmentIds, ChatKind, ChatName, ClientId, MemberRole, MessageBody, MAX_ATTACHMENTS,
};
pub use email::Email;
pub use ids::{ChatId, MessageId, UserId};
pub use invite::{
    parse_expires_in, parse_max_uses, usable as invite_usable, Invite, InviteProblem,
};
pub use password::Password;
pub use profile::{DisplayName, MAX_DISPLAY_NAME};
pub use role::{Permission, Role};
pub use text::{Emoji, SearchQuery};
pub use upload::{DurationMs, FileName, StoredThumbnail, StoredUpload, MAX_DURATION_MS};
pub use user::User;
pub use username::Username;

/// Why a value was refused; becomes one entry of `details.fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

/// Counts characters as the contract does: Unicode scalar values.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Characters refused in message bodies and stripped from chat names:
/// control characters other than newline and tab (NUL cannot even be
/// stored by PostgreSQL), and the bidi embeddings, overrides and isolates
/// that make text display in another order than it reads
/// (`invoice\u{202e}fdp.exe`).
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
