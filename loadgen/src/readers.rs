//! History readers for the `history` scenario.

use std::sync::Arc;
use std::time::Duration;

use crate::driver::{Shared, SideTask};
use crate::scenarios::block;
use crate::stats::Histogram;

/// Readers on their own thread and runtime, each reading the history of one
/// chat after another (as a member) until the send window ends.
pub fn readers(reads: Vec<(String, String)>, n: usize) -> SideTask {
    Box::new(move |shared: Arc<Shared>| {
        std::thread::spawn(move || {
            block(async move {
                let client = crate::net::client(Duration::from_secs(30));
                let tasks = (0..n.max(1)).map(|r| {
                    let (client, shared, reads) = (&client, &shared, &reads);
                    async move {
                        let mut h = Histogram::default();
                        let mut i = r;
                        while shared.now_us() < shared.start_us() {
                            actix_rt::time::sleep(Duration::from_millis(5)).await;
                        }
                        while shared.now_us() < shared.end_us() {
                            let (url, token) = &reads[i % reads.len()];
                            i += n;
                            let t = shared.now_us();
                            let mut req = client.get(url);
                            if !token.is_empty() {
                                req = req.bearer_auth(token);
                            }
                            let ok = match req.send().await {
                                Ok(mut res) => {
                                    res.body().limit(1 << 22).await.is_ok()
                                        && res.status().is_success()
                                }
                                Err(_) => false,
                            };
                            if ok {
                                h.record(shared.now_us() - t);
                            }
                        }
                        h
                    }
                });
                let mut all = Histogram::default();
                for h in futures_util::future::join_all(tasks).await {
                    all.merge(&h);
                }
                all
            })
        })
    })
}
