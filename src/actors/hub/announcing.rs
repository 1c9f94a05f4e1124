//! Telling a user's contacts on this instance whether they are online
//! (never those who blocked them).

use super::Hub;
use crate::domain::UserId;
use crate::protocol::ServerFrame;

impl Hub {
    /// Tells the local contacts of `user_id` whether they are online.
    pub(super) fn announce(&self, user_id: UserId, online: bool) {
        let contacts = self.presence.contacts(user_id, |c| self.here(c));
        self.tell(contacts, user_id, online);
    }

    /// `user_id` has gone from this instance and from all others: contacts
    /// here hear it, and they are no longer tracked.
    pub(super) fn gone_everywhere(&mut self, user_id: UserId) {
        self.announce(user_id, false);
        self.presence.leave(user_id);
    }

    /// Tells `to` (each of their sessions) whether `user_id` is online.
    pub(super) fn tell(&self, to: impl IntoIterator<Item = UserId>, user_id: UserId, online: bool) {
        let frame = ServerFrame::Presence { user_id, online }.encode();
        for recipient in to {
            if self.book.blocks(recipient, user_id) {
                continue;
            }
            for session in self.sessions_of(recipient) {
                session.deliver(frame.clone());
            }
        }
    }
}
