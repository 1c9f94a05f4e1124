//! `search`: message search latency over a large history (issue 14). Seeds
//! `--messages` messages of natural-looking text (words drawn from a fixed
//! vocabulary with a Zipf-like skew, so some words are everywhere and most
//! are rare) through the REST send path, then times `GET /search/messages`
//! with two-word queries (the last word a prefix, as the UI sends it).

use std::time::{Duration, Instant};

use clap::Args;
use futures_util::StreamExt;
use serde_json::json;

use crate::scenarios::block;
use crate::stats::Histogram;
use crate::target::{check_local, Target};
use crate::Common;

#[derive(Args)]
pub struct SearchArgs {
    #[command(flatten)]
    common: Common,
    /// Messages to store before measuring (0: search what is there).
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Chats the searching user is a member of; messages spread over them.
    #[arg(long, default_value_t = 10)]
    chats: usize,
    /// REST sends in flight while seeding.
    #[arg(long, default_value_t = 128)]
    seed_concurrency: usize,
    /// Search requests to time.
    #[arg(long, default_value_t = 400)]
    queries: usize,
    /// Searches in flight at once while timing.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
}

const VOCAB: usize = 5000;

/// A deterministic pseudo-random stream (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Word rank with a Zipf-like skew: rank r about as likely as 1/r.
    fn rank(&mut self) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((VOCAB as f64).powf(u) as usize).min(VOCAB) - 1
    }
}

/// The word of rank `r`: pronounceable syllables, unique per rank.
fn word(r: usize) -> String {
    const C: &[u8] = b"bdfgklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut n = r + C.len() * V.len();
    let mut w = String::new();
    while n > 0 {
        let k = n % (C.len() * V.len());
        w.push(C[k / V.len()] as char);
        w.push(V[k % V.len()] as char);
        n /= C.len() * V.len();
    }
    w
}

fn body(rng: &mut Rng) -> String {
    let n = 6 + (rng.next() % 10) as usize;
    (0..n)
        .map(|_| word(rng.rank()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn search(a: &SearchArgs) -> Result<(), String> {
    let base = a.common.url.trim_end_matches('/').to_owned();
    check_local(&base)?;
    let target = Target::Microchat {
        base: base.clone(),
        users_file: a.common.users_file.clone(),
        ws_bases: Vec::new(),
    };
    block(async move {
        let user = target.users(1).await?.remove(0);
        let mut chats = Vec::new();
        for i in 0..a.chats.max(1) {
            chats.push(target.chat(i as i64, &user, &[]).await?);
        }
        let client = crate::net::client(Duration::from_secs(60));
        let started = Instant::now();
        let seeded = futures_util::stream::iter(0..a.messages)
            .map(|i| {
                let (client, base, token) = (&client, &base, &user.token);
                let chat = chats[i % chats.len()];
                let text = body(&mut Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1)));
                async move {
                    let url = format!("{base}/api/v1/chats/{chat}/messages");
                    let res = client
                        .post(&url)
                        .bearer_auth(token)
                        .send_json(&json!({ "body": text }))
                        .await;
                    matches!(res, Ok(r) if r.status().as_u16() == 201)
                }
            })
            .buffer_unordered(a.seed_concurrency.max(1))
            .filter(|ok| futures_util::future::ready(*ok))
            .count()
            .await;
        if a.messages > 0 {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "seeded {seeded} of {} messages in {secs:.1} s ({:.0}/s)",
                a.messages,
                seeded as f64 / secs
            );
        }
        let mut rng = Rng(42);
        let queries: Vec<String> = (0..a.queries)
            .map(|_| {
                // A common word and a mid-frequency one typed in part.
                let first = word(rng.rank().min(200));
                let second = word(20 + (rng.next() % 2000) as usize);
                let cut = second.len().clamp(3, 4);
                format!("{first} {}", &second[..cut])
            })
            .collect();
        let hits = std::sync::atomic::AtomicUsize::new(0);
        let timings: Vec<Option<u64>> = futures_util::stream::iter(queries.iter())
            .map(|q| {
                let (client, base, token, hits) = (&client, &base, &user.token, &hits);
                async move {
                    let url = format!(
                        "{base}/api/v1/search/messages?limit=20&q={}",
                        q.replace(' ', "%20")
                    );
                    let t = Instant::now();
                    let mut res = client.get(&url).bearer_auth(token).send().await.ok()?;
                    let bytes = res.body().limit(1 << 22).await.ok()?;
                    let us = t.elapsed().as_micros() as u64;
                    if !res.status().is_success() {
                        return None;
                    }
                    let list: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
                    hits.fetch_add(
                        list.as_array().map_or(0, Vec::len),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    Some(us)
                }
            })
            .buffered(a.concurrency.max(1))
            .collect()
            .await;
        let mut h = Histogram::default();
        let mut failed = 0;
        for t in timings {
            match t {
                Some(us) => h.record(us),
                None => failed += 1,
            }
        }
        let ms = |q: f64| h.quantile(q) as f64 / 1000.0;
        println!(
            "search: {} queries (two words, last a prefix, limit 20), {failed} failed, {:.1} hits/query; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            a.queries,
            hits.into_inner() as f64 / a.queries.max(1) as f64,
            ms(0.50),
            ms(0.90),
            ms(0.99),
            ms(1.0)
        );
        Ok(())
    })
}
