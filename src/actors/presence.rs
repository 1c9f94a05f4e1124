//! Who shares a chat with whom, kept for connected users only (and those in
//! their offline grace period). Contacts are computed from chat memberships
//! when needed rather than stored per user, so memory follows the
//! memberships of online users — never members² of a big chat.
//!
//! Every chat is tracked (for `presence_query` and `online_count`), but
//! contacts — whom an arrival is announced to — are found only through the
//! chats that carry presence ([`Scopes`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::scopes::Scopes;
use crate::domain::{ChatId, UserId};

pub struct Presence {
    chats_of: HashMap<UserId, HashSet<ChatId>>,
    users_in: HashMap<ChatId, HashSet<UserId>>,
    scopes: Arc<Scopes>,
}

impl Presence {
    pub fn new(scopes: Arc<Scopes>) -> Presence {
        Presence {
            chats_of: HashMap::new(),
            users_in: HashMap::new(),
            scopes,
        }
    }

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

    /// The tracked users sharing at least one chat that carries presence
    /// with `user` for whom `keep` holds, each once. Filtering while
    /// collecting keeps a mass departure cheap: few are still online.
    pub fn contacts(&self, user: UserId, keep: impl Fn(UserId) -> bool) -> HashSet<UserId> {
        let mut out = HashSet::new();
        let chats = self.chats_of.get(&user).into_iter().flatten();
        for chat in chats.filter(|&&c| self.scopes.shares(c)) {
            let users = self.users_in.get(chat).into_iter().flatten();
            out.extend(users.copied().filter(|&u| u != user && keep(u)));
        }
        out
    }

    /// Whether two tracked users share any chat, large ones included.
    pub fn share_any(&self, a: UserId, b: UserId) -> bool {
        let (Some(mine), Some(theirs)) = (self.chats_of.get(&a), self.chats_of.get(&b)) else {
            return false;
        };
        let (small, large) = if mine.len() <= theirs.len() {
            (mine, theirs)
        } else {
            (theirs, mine)
        };
        small.iter().any(|c| large.contains(c))
    }

    /// Whether `a` and `b` share a chat carrying presence other than `chat`.
    pub fn share_presence_besides(&self, a: UserId, b: UserId, chat: ChatId) -> bool {
        let (Some(mine), Some(theirs)) = (self.chats_of.get(&a), self.chats_of.get(&b)) else {
            return false;
        };
        mine.iter()
            .any(|&c| c != chat && theirs.contains(&c) && self.scopes.shares(c))
    }

    /// The tracked users in `chat`.
    pub fn users_in(&self, chat: ChatId) -> impl Iterator<Item = UserId> + '_ {
        self.users_in.get(&chat).into_iter().flatten().copied()
    }

    /// Adds a tracked `user` to `chat`; answers the tracked users who share
    /// a chat carrying presence with them now and did not before.
    pub fn join(&mut self, user: UserId, chat: ChatId) -> Vec<UserId> {
        if !self.tracked(user) {
            return Vec::new();
        }
        if !self.scopes.shares(chat) {
            self.enter(user, [chat]);
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

    /// Presence where chats 10–29 carry presence and 30–39 are large.
    fn presence() -> Presence {
        let scopes = Arc::new(Scopes::new(3));
        for chat in 10..30 {
            scopes.note(ChatId(chat), 2);
        }
        for chat in 30..40 {
            scopes.note(ChatId(chat), 1000);
        }
        Presence::new(scopes)
    }

    #[test]
    fn contacts_are_the_tracked_users_of_shared_chats_once_each() {
        let mut p = presence();
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
        let mut p = presence();
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

    #[test]
    fn large_chats_make_no_contacts_but_are_shared() {
        let mut p = presence();
        p.enter(U1, chats([30, 10]));
        p.enter(U2, chats([30]));
        p.enter(U3, chats([10]));
        assert_eq!(sorted(p.contacts(U1, |_| true)), vec![3]);
        assert_eq!(sorted(p.contacts(U2, |_| true)), Vec::<i64>::new());
        assert!(p.share_any(U1, U2) && p.share_any(U2, U1));
        assert!(!p.share_any(U2, U3) && !p.share_any(U1, U4));
        assert_eq!(sorted(p.users_in(ChatId(30))), vec![1, 2]);
        assert_eq!(p.join(U3, ChatId(31)), Vec::<UserId>::new());
        assert_eq!(p.join(U3, ChatId(30)), Vec::<UserId>::new());
        assert!(p.share_any(U2, U3), "joined the large chat");
    }
}
