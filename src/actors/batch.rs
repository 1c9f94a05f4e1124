//! Coalesces concurrent lookups by key into batches: a reconnect storm of
//! 10 000 sessions asks the database a few dozen questions instead of
//! 10 000 (on PostgreSQL each question is a round trip of its own).
//!
//! A lookup that finds fewer than `max_in_flight` batches running starts one
//! at once, so a lone lookup waits for nothing; otherwise it queues, and
//! each batch that finishes takes everything queued meanwhile (up to
//! `max_batch` keys). The same scheme as the history writer's group commit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;

use super::{ServiceError, ServiceResult};

type Reply<V> = oneshot::Sender<Result<Option<V>, String>>;

/// Answers one batch: the value of every key that has one (a key left out
/// has none).
pub type Lookup<K, V> =
    Arc<dyn Fn(Vec<K>) -> BoxFuture<'static, ServiceResult<HashMap<K, V>>> + Send + Sync>;

pub struct Batcher<K, V> {
    state: Arc<Mutex<State<K, V>>>,
    lookup: Lookup<K, V>,
    max_in_flight: usize,
    max_batch: usize,
}

struct State<K, V> {
    queued: Vec<(K, Reply<V>)>,
    in_flight: usize,
}

impl<K, V> Clone for Batcher<K, V> {
    fn clone(&self) -> Self {
        Batcher {
            state: self.state.clone(),
            lookup: self.lookup.clone(),
            max_in_flight: self.max_in_flight,
            max_batch: self.max_batch,
        }
    }
}

impl<K, V> Batcher<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
{
    pub fn new(max_in_flight: usize, max_batch: usize, lookup: Lookup<K, V>) -> Batcher<K, V> {
        Batcher {
            state: Arc::new(Mutex::new(State {
                queued: Vec::new(),
                in_flight: 0,
            })),
            lookup,
            max_in_flight: max_in_flight.max(1),
            max_batch: max_batch.max(1),
        }
    }

    /// The value for `key`, `None` when it has none. Must be called on an
    /// actix (tokio local) runtime: a batch runs as a task of its own there.
    pub async fn get(&self, key: K) -> ServiceResult<Option<V>> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut state = self.lock();
            state.queued.push((key, tx));
            let start = state.in_flight < self.max_in_flight;
            if start {
                state.in_flight += 1;
            }
            start
        };
        if start {
            // A task of its own, not this caller's future: the caller may be
            // dropped (its socket closed) while the batch serves others.
            actix::spawn(self.clone().drain());
        }
        rx.await
            .map_err(|_| ServiceError::Internal("batched lookup dropped".into()))?
            .map_err(ServiceError::Internal)
    }

    /// Runs batches until the queue is empty.
    async fn drain(self) {
        loop {
            let batch = {
                let mut state = self.lock();
                if state.queued.is_empty() {
                    state.in_flight -= 1;
                    return;
                }
                let n = state.queued.len().min(self.max_batch);
                state.queued.drain(..n).collect::<Vec<_>>()
            };
            let mut keys: Vec<K> = batch.iter().map(|(k, _)| k.clone()).collect();
            dedup(&mut keys);
            match (self.lookup)(keys).await {
                Ok(found) => {
                    for (key, reply) in batch {
                        let _ = reply.send(Ok(found.get(&key).cloned()));
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for (_, reply) in batch {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K, V>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Removes repeated keys (a user with two sessions connecting at once).
fn dedup<K: Eq + Hash + Clone>(keys: &mut Vec<K>) {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.retain(|k| seen.insert(k.clone()));
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use futures_util::future::join_all;
    use futures_util::FutureExt;

    use super::*;

    const UNLUCKY: u32 = 999_999;

    /// A lookup that doubles its keys (0 has no value), counts its batches
    /// and the largest one, and takes a moment, as a query does; a batch with
    /// `UNLUCKY` in it fails.
    fn doubling(calls: Arc<AtomicUsize>, largest: Arc<AtomicUsize>) -> Lookup<u32, u32> {
        Arc::new(move |keys: Vec<u32>| {
            calls.fetch_add(1, Ordering::SeqCst);
            largest.fetch_max(keys.len(), Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                if keys.contains(&UNLUCKY) {
                    return Err(ServiceError::Internal("unlucky".into()));
                }
                Ok(keys
                    .into_iter()
                    .filter(|&k| k != 0)
                    .map(|k| (k, 2 * k))
                    .collect())
            }
            .boxed()
        })
    }

    #[actix_web::test]
    async fn a_storm_of_lookups_becomes_a_few_batches_with_every_answer_right() {
        let (calls, largest) = (Arc::default(), Arc::default());
        let batcher = Batcher::new(2, 100, doubling(Arc::clone(&calls), Arc::clone(&largest)));
        let answers = join_all((1..=1000).map(|k| {
            let b = batcher.clone();
            async move { (k, b.get(k).await.unwrap()) }
        }))
        .await;
        for (k, v) in answers {
            assert_eq!(v, Some(2 * k));
        }
        let calls = calls.load(Ordering::SeqCst);
        // Two start alone; the rest queue and go 100 at a time.
        assert!((10..=14).contains(&calls), "{calls} batches");
        assert_eq!(largest.load(Ordering::SeqCst), 100);
    }

    #[actix_web::test]
    async fn a_lone_lookup_goes_at_once_and_a_missing_key_is_none() {
        let calls = Arc::new(AtomicUsize::new(0));
        let batcher = Batcher::new(1, 100, doubling(Arc::clone(&calls), Arc::default()));
        assert_eq!(batcher.get(0).await.unwrap(), None);
        assert_eq!(batcher.get(7).await.unwrap(), Some(14));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[actix_web::test]
    async fn a_failed_batch_fails_its_waiters_only_and_the_batcher_goes_on() {
        let batcher = Batcher::new(1, 100, doubling(Arc::default(), Arc::default()));
        // Asked together: one batch, which fails for both.
        let (a, b) = futures_util::join!(batcher.get(UNLUCKY), batcher.get(4));
        assert!(a.is_err() && b.is_err());
        assert_eq!(batcher.get(4).await.unwrap(), Some(8));
    }

    #[actix_web::test]
    async fn the_same_key_twice_is_asked_once_and_answered_twice() {
        let largest = Arc::new(AtomicUsize::new(0));
        let batcher = Batcher::new(1, 100, doubling(Arc::default(), Arc::clone(&largest)));
        let (a, b, c) = futures_util::join!(batcher.get(1), batcher.get(5), batcher.get(5));
        assert_eq!(
            (a.unwrap(), b.unwrap(), c.unwrap()),
            (Some(2), Some(10), Some(10))
        );
        assert_eq!(
            largest.load(Ordering::SeqCst),
            2,
            "1, 5 and 5 make two keys"
        );
    }
}
