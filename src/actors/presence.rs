//! Who shares a chat with whom, kept for connected users only (and those in
//! their offline grace period). Contacts are computed from chat memberships
//! when needed rather than stored per user, so memory follows the
//! memberships of online users — never members² of a big chat.

use std::collections::{HashMap, HashSet};

use crate::domain::{ChatId, UserId};

#[derive(Default)]
pub struct Presence {
    chats_of: HashMap<UserId, HashSet<ChatId>>,
    users_in: HashMap<ChatId, HashSet<UserId>>,
}

impl Presence {
    /// Whether `user` is tracked (connected, or within the offline grace).
    pub fn tracked(&self, user: UserId) -> bool {
        self.chats_of.contains_key(&user)
    }

    /// Starts tracking `user` in `chats` (adds to what is known already: a
    /// second session may have loaded a fresher list).
    pub fn enter(&mut self, user: UserId, chats: impl IntoIterator<Item = ChatId>) {
        let mine = self.chats_of.entry(user).or_default();
        for chat in chats {
            if mine.insert(chat) {
                self.users_in.entry(chat).or_default().insert(user);
            }
        }
    }

    /// The chats `user` is tracked in.
    pub fn chats_of(&self, user: UserId) -> Vec<ChatId> {
        self.chats_of
            .get(&user)
            .map(|chats| chats.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Stops tracking `user`.
    pub fn leave(&mut self, user: UserId) {
        for chat in self.chats_of.remove(&user).into_iter().flatten() {
            self.remove_from(chat, user);
        }
    }

    /// The tracked users sharing at least one chat with `user` for whom
    /// `keep` holds, each once. Filtering while collecting keeps a mass
    /// departure from a big chat cheap: few of the members are still online.
    pub fn contacts(&self, user: UserId, keep: impl Fn(UserId) -> bool) -> HashSet<UserId> {
        let mut out = HashSet::new();
        for chat in self.chats_of.get(&user).into_iter().flatten() {
            let users = self.users_in.get(chat).into_iter().flatten();
            out.extend(users.copied().filter(|&u| u != user && keep(u)));
        }
        out
    }

    /// Adds a tracked `user` to `chat`; answers the tracked users who share
    /// a chat with them now and did not before.
    pub fn join(&mut self, user: UserId, chat: ChatId) -> Vec<UserId> {
        if !self.tracked(user) {
            return Vec::new();
        }
        let before = self.contacts(user, |_| true);
        self.enter(user, [chat]);
        self.users_in
            .get(&chat)
            .into_iter()
            .flatten()
            .copied()
            .filter(|other| *other != user && !before.contains(other))
            .collect()
    }

    /// `user` is no longer in `chat`.
    pub fn part(&mut self, user: UserId, chat: ChatId) {
        if let Some(mine) = self.chats_of.get_mut(&user) {
            if mine.remove(&chat) {
                self.remove_from(chat, user);
            }
        }
    }

    fn remove_from(&mut self, chat: ChatId, user: UserId) {
        if let Some(users) = self.users_in.get_mut(&chat) {
            users.remove(&user);
            if users.is_empty() {
                self.users_in.remove(&chat);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(set: impl IntoIterator<Item = UserId>) -> Vec<i64> {
        let mut v: Vec<i64> = set.into_iter().map(|u| u.0).collect();
        v.sort_unstable();
        v
    }

    fn chats(ids: impl IntoIterator<Item = i64>) -> Vec<ChatId> {
        ids.into_iter().map(ChatId).collect()
    }

    const U1: UserId = UserId(1);
    const U2: UserId = UserId(2);
    const U3: UserId = UserId(3);
    const U4: UserId = UserId(4);

    #[test]
    fn contacts_are_the_tracked_users_of_shared_chats_once_each() {
        let mut p = Presence::default();
        p.enter(U1, chats([10, 11]));
        p.enter(U2, chats([10, 11]));
        p.enter(U3, chats([11]));
        p.enter(U4, chats([12]));
        assert_eq!(sorted(p.contacts(U1, |_| true)), vec![2, 3]);
        assert_eq!(sorted(p.contacts(U1, |u| u != U2)), vec![3]);
        assert_eq!(sorted(p.contacts(U4, |_| true)), Vec::<i64>::new());
        p.leave(U2);
        assert_eq!(sorted(p.contacts(U1, |_| true)), vec![3]);
        assert!(!p.tracked(U2));
    }

    #[test]
    fn joining_reports_only_new_contacts_and_parting_forgets() {
        let mut p = Presence::default();
        p.enter(U1, chats([10]));
        p.enter(U2, chats([10, 20]));
        p.enter(U3, chats([20]));
        assert_eq!(
            sorted(p.join(U1, ChatId(20))),
            vec![3],
            "2 was a contact already"
        );
        assert_eq!(
            p.join(UserId(9), ChatId(20)),
            Vec::<UserId>::new(),
            "untracked users stay so"
        );
        p.part(U1, ChatId(20));
        p.part(U1, ChatId(10));
        assert_eq!(sorted(p.contacts(U1, |_| true)), Vec::<i64>::new());
        assert_eq!(sorted(p.contacts(U2, |_| true)), vec![3]);
        p.leave(U1);
        p.leave(U2);
        p.leave(U3);
        assert!(
            p.users_in.is_empty() && p.chats_of.is_empty(),
            "nothing left behind"
        );
    }
}
