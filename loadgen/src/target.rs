//! The server under test and how its users and chats are made: over the
//! public REST API for microchat, synthetically for the bare server (whose
//! "token" just names the user and its rooms).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{stream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::cache;
use serde_json::json;

/// REST requests in flight during setup.
const SETUP_CONCURRENCY: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    /// A microchat access token; empty for the bare server.
    pub token: String,
}

#[derive(Debug, Clone)]
pub enum Target {
    Microchat {
        base: String,
        /// Users made by earlier runs against the same database, reused.
        users_file: Option<PathBuf>,
        /// Where sessions connect, user by user in turn (empty: `base`).
        ws_bases: Vec<String>,
    },
    Bare {
        base: String,
    },
}

/// Refuses anything but the loopback interface: the load generator must never
/// be pointed at someone else's machine.
pub fn check_local(base: &str) -> Result<(), String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: only http:// URLs are supported"))?;
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.parse::<u16>().is_ok() => h,
        _ => host,
    };
    match host {
        "127.0.0.1" | "localhost" | "[::1]" => Ok(()),
        _ => Err(format!("{base}: only 127.0.0.1/localhost may be targeted")),
    }
}

#[derive(Deserialize)]
struct LoginReply {
    access_token: String,
    user: UserReply,
}

#[derive(Deserialize)]
struct UserReply {
    id: i64,
}

#[derive(Deserialize)]
struct ChatReply {
    id: i64,
}

#[derive(Deserialize)]
struct ChatSummary {
    id: i64,
    name: String,
    members_count: i64,
}

fn client() -> awc::Client {
    crate::net::client(Duration::from_secs(60))
}

/// POSTs JSON, retrying on 429 after the advertised delay.
async fn post(
    client: &awc::Client,
    url: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> Result<(u16, bytes::Bytes), String> {
    for _ in 0..20 {
        let mut req = client.post(url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let mut res = req
            .send_json(body)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let bytes = res
            .body()
            .limit(1 << 20)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if res.status().as_u16() == 429 {
            let wait = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .unwrap_or(1u64);
            actix_rt::time::sleep(Duration::from_secs(wait.min(10))).await;
            continue;
        }
        return Ok((res.status().as_u16(), bytes));
    }
    Err(format!(
        "{url}: still rate limited; start the server with a higher --auth-rate-per-minute"
    ))
}

fn expect(status: u16, want: &[u16], url: &str, body: &[u8]) -> Result<(), String> {
    if want.contains(&status) {
        Ok(())
    } else {
        Err(format!(
            "{url}: HTTP {status}: {}",
            String::from_utf8_lossy(body)
        ))
    }
}

impl Target {
    pub fn base(&self) -> &str {
        match self {
            Target::Microchat { base, .. } | Target::Bare { base } => base,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Target::Microchat { .. } => "microchat",
            Target::Bare { .. } => "bare",
        }
    }

    /// `n` users with access tokens: registered and logged in (microchat).
    pub async fn users(&self, n: usize) -> Result<Vec<User>, String> {
        let Target::Microchat {
            base, users_file, ..
        } = self
        else {
            return Ok((0..n)
                .map(|i| User {
                    id: i as i64 + 1,
                    username: format!("bare-{}", i + 1),
                    token: String::new(),
                })
                .collect());
        };
        let mut have = match users_file {
            Some(path) => cache::load(path, base)?,
            None => Vec::new(),
        };
        if have.len() >= n {
            have.truncate(n);
            return Ok(have);
        }
        let run = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            % 1_000_000_000;
        let client = client();
        let made: Vec<Result<User, String>> = stream::iter(have.len()..n)
            .map(|i| {
                let (client, base) = (&client, base.as_str());
                let username = format!("lg{run}_{i}");
                async move {
                    let user = register_and_login(client, base, username).await?;
                    // Recorded at once, so an interrupted setup keeps its work.
                    if let Some(path) = users_file {
                        cache::append(path, base, std::slice::from_ref(&user))?;
                    }
                    Ok(user)
                }
            })
            .buffered(SETUP_CONCURRENCY)
            .collect()
            .await;
        let made: Vec<User> = made.into_iter().collect::<Result<_, _>>()?;
        have.extend(made);
        Ok(have)
    }

    /// A group chat owned by `owner` with `members` (owner excluded).
    pub async fn chat(&self, id_hint: i64, owner: &User, members: &[User]) -> Result<i64, String> {
        let name = format!("lg chat {id_hint}");
        self.chat_named(id_hint, &name, owner, members).await
    }

    /// One chat of all `users` (the first owns it), made once per database:
    /// a later run with the same users finds it (by name and size) instead
    /// of adding everyone to yet another chat.
    pub async fn one_chat(&self, users: &[User]) -> Result<i64, String> {
        let Target::Microchat { base, .. } = self else {
            return Ok(1);
        };
        let name = format!("lg everyone {}", users.len());
        let url = format!("{base}/api/v1/chats");
        let mut res = client()
            .get(&url)
            .bearer_auth(&users[0].token)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let bytes = res
            .body()
            .limit(64 << 20)
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        expect(res.status().as_u16(), &[200], &url, &bytes)?;
        let mine: Vec<ChatSummary> = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let found = mine
            .iter()
            .find(|c| c.name == name && c.members_count == users.len() as i64);
        match found {
            Some(chat) => Ok(chat.id),
            None => self.chat_named(1, &name, &users[0], &users[1..]).await,
        }
    }

    async fn chat_named(
        &self,
        id_hint: i64,
        name: &str,
        owner: &User,
        members: &[User],
    ) -> Result<i64, String> {
        let Target::Microchat { base, .. } = self else {
            return Ok(id_hint);
        };
        let client = client();
        let url = format!("{base}/api/v1/chats");
        // API.md allows at most 1000 members at creation; the rest are added.
        let (first, rest) = members.split_at(members.len().min(999));
        let names: Vec<&str> = first.iter().map(|u| u.username.as_str()).collect();
        let body = json!({"name": name, "members": names});
        let (status, bytes) = post(&client, &url, Some(&owner.token), &body).await?;
        expect(status, &[201], &url, &bytes)?;
        let chat: ChatReply = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let add = format!("{base}/api/v1/chats/{}/members", chat.id);
        let added: Vec<Result<(), String>> = stream::iter(rest)
            .map(|u| {
                let (client, add, token) = (&client, &add, &owner.token);
                async move {
                    let (s, b) =
                        post(client, add, Some(token), &json!({"username": u.username})).await?;
                    expect(s, &[200], add, &b)
                }
            })
            .buffered(SETUP_CONCURRENCY)
            .collect()
            .await;
        added.into_iter().collect::<Result<(), _>>()?;
        Ok(chat.id)
    }

    /// The WebSocket URL a session of `user` connects to.
    pub fn ws_url(&self, user: &User, chats: &[i64]) -> String {
        let base = match self {
            Target::Microchat { ws_bases, .. } if !ws_bases.is_empty() => {
                &ws_bases[user.id.unsigned_abs() as usize % ws_bases.len()]
            }
            _ => self.base(),
        };
        let ws_base = base.replacen("http://", "ws://", 1);
        match self {
            Target::Microchat { .. } => {
                format!("{ws_base}/api/v1/ws?access_token={}", user.token)
            }
            Target::Bare { .. } => {
                let list: Vec<String> = chats.iter().map(i64::to_string).collect();
                format!(
                    "{ws_base}/api/v1/ws?access_token=bare:{}:{}",
                    user.id,
                    list.join(",")
                )
            }
        }
    }

    /// The bearer token for REST reads (the bare server ignores it).
    pub fn history_url(&self, chat_id: i64) -> String {
        format!("{}/api/v1/chats/{chat_id}/messages?limit=50", self.base())
    }
}

async fn register_and_login(
    client: &awc::Client,
    base: &str,
    username: String,
) -> Result<User, String> {
    let password = "loadgen-password-1";
    let url = format!("{base}/api/v1/auth/register");
    let body = json!({"username": username, "email": format!("{username}@loadgen.test"), "password": password});
    let (status, bytes) = post(client, &url, None, &body).await?;
    expect(status, &[201], &url, &bytes)?;
    let url = format!("{base}/api/v1/auth/login");
    let (status, bytes) = post(
        client,
        &url,
        None,
        &json!({"login": username, "password": password}),
    )
    .await?;
    expect(status, &[200], &url, &bytes)?;
    let reply: LoginReply = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    Ok(User {
        id: reply.user.id,
        username,
        token: reply.access_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert!(check_local("http://127.0.0.1:8080").is_ok());
        assert!(check_local("http://localhost").is_ok());
        assert!(check_local("http://[::1]:80/").is_ok());
        assert!(check_local("http://10.0.0.1:8080").is_err());
        assert!(check_local("http://example.com").is_err());
        assert!(check_local("http://127.0.0.1.evil.com:80").is_err());
        assert!(check_local("https://127.0.0.1").is_err());
    }
}
