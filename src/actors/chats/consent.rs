//! Who may put whom into a chat: nobody someone blocked, and, under
//! `--add-policy shared`, only people one already shares a chat with or
//! who signed up with one's invite.

use super::ChatStore;
use crate::actors::{ServiceError, ServiceResult};
use crate::config::AddPolicy;
use crate::db::{blocks, DbConn};
use crate::domain::UserId;
use crate::protocol::reason;

impl ChatStore {
    /// `403` unless `adder` may add every one of `targets` to a chat
    /// (`targets` may include the adder itself, which is always fine).
    /// Admins are not bound by the add policy, but blocks bind everyone.
    pub(super) fn check_consent(
        &self,
        conn: &mut DbConn,
        adder: UserId,
        adder_is_admin: bool,
        targets: &[UserId],
    ) -> ServiceResult<()> {
        let others: Vec<UserId> = targets.iter().copied().filter(|t| *t != adder).collect();
        if others.is_empty() {
            return Ok(());
        }
        if !blocks::who_blocked(conn, adder, &others)?.is_empty() {
            return Err(ServiceError::Refused(
                reason::BLOCKED,
                "this user does not accept that from you",
            ));
        }
        if self.add_policy == AddPolicy::Shared && !adder_is_admin {
            let connected = blocks::connected(conn, adder, &others)?;
            if others.iter().any(|u| !connected.contains(u)) {
                return Err(ServiceError::Refused(
                    reason::NOT_CONNECTED,
                    "you can only add people you share a chat with or who accepted your invite",
                ));
            }
        }
        Ok(())
    }
}
