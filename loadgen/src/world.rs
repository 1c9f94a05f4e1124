//! The users and chats a scenario needs, made once on the target, and the
//! session plans derived from them (so `--find-max` can rerun the same world
//! at several rates).

use futures_util::{stream, StreamExt};

use crate::driver::{ConnPlan, SendMode, SendPlan};
use crate::target::{Target, User};

/// Chats created concurrently during setup.
const CHAT_CONCURRENCY: usize = 8;

pub struct Chat {
    pub id: i64,
    /// Indices into `World::users`; the first is the owner.
    pub members: Vec<usize>,
}

pub struct World {
    pub users: Vec<User>,
    pub chats: Vec<Chat>,
}

/// How the senders of each chat send.
#[derive(Clone, Copy)]
pub enum Load {
    /// This many messages per second in total, spread evenly over senders.
    Rate(f64),
    /// Closed loop with this many sends awaiting `ack` per sender.
    Window(usize),
}

impl World {
    /// `chats` chats; user `i` is a member of chat `i % chats`.
    pub async fn build(target: &Target, users: usize, chats: usize) -> Result<World, String> {
        let users = target.users(users).await?;
        let chats = chats.max(1);
        let groups: Vec<Vec<usize>> = (0..chats)
            .map(|c| (c..users.len()).step_by(chats).collect())
            .collect();
        let made: Vec<Result<Chat, String>> = stream::iter(groups.into_iter().enumerate())
            .map(|(c, members)| {
                let users = &users;
                async move {
                    let rest: Vec<User> = members[1..].iter().map(|&i| users[i].clone()).collect();
                    let id = target.chat(c as i64 + 1, &users[members[0]], &rest).await?;
                    Ok(Chat { id, members })
                }
            })
            .buffered(CHAT_CONCURRENCY)
            .collect()
            .await;
        Ok(World {
            users,
            chats: made.into_iter().collect::<Result<_, _>>()?,
        })
    }

    /// One session per user; the first `senders_per_chat` members of each
    /// chat send. Returns the plans and the number of senders.
    pub fn plans(
        &self,
        target: &Target,
        senders_per_chat: usize,
        load: Load,
    ) -> (Vec<ConnPlan>, usize) {
        let mut chat_of = vec![usize::MAX; self.users.len()];
        let mut first_sender = Vec::with_capacity(self.chats.len());
        let mut total = 0u32;
        for (c, chat) in self.chats.iter().enumerate() {
            for &m in &chat.members {
                chat_of[m] = c;
            }
            first_sender.push(total);
            total += senders_per_chat.min(chat.members.len()) as u32;
        }
        let senders = total as usize;
        let mut plans = Vec::with_capacity(self.users.len());
        for (c, chat) in self.chats.iter().enumerate() {
            let n = senders_per_chat.min(chat.members.len()) as u32;
            let chat_senders: Vec<u32> = (first_sender[c]..first_sender[c] + n).collect();
            for (pos, &u) in chat.members.iter().enumerate() {
                let me = (pos < n as usize).then(|| first_sender[c] + pos as u32);
                let send = me.map(|sender| SendPlan {
                    sender,
                    chat_id: chat.id,
                    mode: match load {
                        Load::Rate(rate) => {
                            let gap = 1e6 / rate.max(1e-3);
                            SendMode::Rate {
                                interval_us: (gap * senders as f64).max(1.0) as u64,
                                offset_us: (gap * sender as f64) as u64,
                            }
                        }
                        Load::Window(w) => SendMode::Window(w.max(1)),
                    },
                });
                plans.push(ConnPlan {
                    url: target.ws_url(&self.users[u], &[chat.id]),
                    send,
                    expect_from: chat_senders
                        .iter()
                        .copied()
                        .filter(|&s| Some(s) != me)
                        .collect(),
                });
            }
        }
        (plans, senders)
    }
}

/// `sessions` sessions spread over `users` users, members of `chats`.
pub fn idle_plans(
    target: &Target,
    users: &[User],
    sessions: usize,
    chats: &[i64],
) -> Vec<ConnPlan> {
    (0..sessions)
        .map(|i| ConnPlan {
            url: target.ws_url(&users[i % users.len()], chats),
            send: None,
            expect_from: Vec::new(),
        })
        .collect()
}
