//! Runs a plan of sessions on several client threads, each with its own
//! single-threaded actix runtime, and coordinates them from the calling
//! thread: connect all → run for the duration → drain → close.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};

use crate::proto::Probe;
use crate::stats::{Histogram, Seen};

/// One session to open.
pub struct ConnPlan {
    pub url: String,
    pub send: Option<SendPlan>,
    /// Senders whose messages this session must receive as `message`.
    pub expect_from: Vec<u32>,
}

pub struct SendPlan {
    pub sender: u32,
    pub chat_id: i64,
    pub mode: SendMode,
}

#[derive(Clone, Copy)]
pub enum SendMode {
    /// Open loop: message k is scheduled at `start + offset + k × interval`.
    Rate { interval_us: u64, offset_us: u64 },
    /// Closed loop: keep this many sends awaiting their `ack`.
    Window(usize),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    Connect,
    Run,
    Close,
}

pub struct RunOptions {
    pub threads: usize,
    pub duration: Duration,
    /// How long to wait after sending for deliveries still in flight.
    pub drain: Duration,
    /// Sessions opening at once per client thread.
    pub connect_concurrency: usize,
    /// Pause between everyone `ready` and the start (lets RSS settle).
    pub settle: Duration,
    pub server_pid: Option<u32>,
}

/// State shared between the coordinator and every client thread.
pub struct Shared {
    /// Unique per run (µs since the Unix epoch at its start).
    pub run: u64,
    epoch: Instant,
    ready: AtomicUsize,
    failed: AtomicUsize,
    first_error: Mutex<Option<String>>,
    phase: AtomicU8,
    start_us: AtomicU64,
    end_us: AtomicU64,
    sent: Vec<AtomicU64>,
    senders_done: AtomicUsize,
    delivered: AtomicU64,
    acked: AtomicU64,
}

impl Shared {
    pub fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
    pub fn instant_at(&self, us: u64) -> tokio::time::Instant {
        (self.epoch + Duration::from_micros(us)).into()
    }
    pub fn start_us(&self) -> u64 {
        self.start_us.load(Relaxed)
    }
    pub fn end_us(&self) -> u64 {
        self.end_us.load(Relaxed)
    }
    pub fn phase(&self) -> Phase {
        match self.phase.load(Relaxed) {
            0 => Phase::Connect,
            1 => Phase::Run,
            _ => Phase::Close,
        }
    }
    pub fn connected(&self) {
        self.ready.fetch_add(1, Relaxed);
    }
    pub fn connect_failed(&self, why: &str) {
        self.first_error
            .lock()
            .expect("error lock")
            .get_or_insert_with(|| why.to_string());
        self.failed.fetch_add(1, Relaxed);
    }
    pub fn sender_done(&self, sender: u32, sent: u64) {
        self.sent[sender as usize].store(sent, Relaxed);
        self.senders_done.fetch_add(1, Relaxed);
    }
    pub fn sent(&self, sender: u32) -> u64 {
        self.sent[sender as usize].load(Relaxed)
    }
}

/// What one client thread measured.
#[derive(Default)]
pub struct Local {
    pub latency: Histogram,
    pub ack_latency: Histogram,
    pub connect: Histogram,
    pub delivered: u64,
    published: u64,
    acks_published: u64,
    pub last_delivery_us: u64,
    pub acked: u64,
    pub acked_in_window: u64,
    pub duplicates: u64,
    pub unexpected: u64,
    pub lost: u64,
    pub foreign: u64,
    pub disconnects: u64,
    pub errors: HashMap<String, u64>,
}

impl Local {
    pub fn delivery(&mut self, seen: &mut Seen, p: Probe, now: u64) {
        if seen.record(p.sender, p.seq) {
            self.latency.record(now.saturating_sub(p.scheduled_us));
            self.delivered += 1;
            self.last_delivery_us = now;
        }
    }
    pub fn ack(&mut self, p: Probe, now: u64, shared: &Shared) {
        self.ack_latency.record(now.saturating_sub(p.scheduled_us));
        self.acked += 1;
        if now <= shared.end_us() {
            self.acked_in_window += 1;
        }
    }
    fn merge(&mut self, o: Local) {
        self.latency.merge(&o.latency);
        self.ack_latency.merge(&o.ack_latency);
        self.connect.merge(&o.connect);
        self.delivered += o.delivered;
        self.last_delivery_us = self.last_delivery_us.max(o.last_delivery_us);
        self.acked += o.acked;
        self.acked_in_window += o.acked_in_window;
        self.duplicates += o.duplicates;
        self.unexpected += o.unexpected;
        self.lost += o.lost;
        self.foreign += o.foreign;
        self.disconnects += o.disconnects;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }
}

/// The merged result of a run.
pub struct Outcome {
    pub m: Local,
    pub sessions: usize,
    pub failed: usize,
    pub first_error: Option<String>,
    /// From the first connect to the last `ready`.
    pub connect_all: Duration,
    pub sent: u64,
    pub expected: u64,
    pub start_us: u64,
    pub end_us: u64,
    pub rss_before_kb: Option<u64>,
    pub rss_ready_kb: Option<u64>,
    /// What a side task (e.g. history readers) measured while the run went on.
    pub side: Option<Histogram>,
}

/// Work started beside the sessions, given the shared state to follow the
/// phases by; its histogram joins the outcome.
pub type SideTask = Box<dyn FnOnce(Arc<Shared>) -> std::thread::JoinHandle<Histogram>>;

/// VmRSS of a process, in KiB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn client_thread(
    plans: Vec<ConnPlan>,
    shared: Arc<Shared>,
    concurrency: usize,
) -> std::thread::JoinHandle<Local> {
    std::thread::spawn(move || {
        let rt = actix_rt::Runtime::new().expect("client runtime");
        rt.block_on(async move {
            let client = Rc::new(crate::net::client(Duration::from_secs(30)));
            let local = Rc::new(RefCell::new(Local::default()));
            let (phase_tx, phase_rx) = watch::channel(Phase::Connect);
            let gate = Arc::new(Semaphore::new(concurrency));
            let mut tasks = Vec::with_capacity(plans.len());
            for plan in plans {
                let permit = gate.clone().acquire_owned().await.expect("gate");
                tasks.push(actix_rt::spawn(crate::conn::run(
                    plan,
                    client.clone(),
                    shared.clone(),
                    local.clone(),
                    phase_rx.clone(),
                    permit,
                )));
            }
            // Relay the coordinator's phase and publish delivery counts.
            let all_done = futures_util::future::join_all(tasks);
            tokio::pin!(all_done);
            let mut tick = tokio::time::interval(Duration::from_millis(2));
            loop {
                tokio::select! {
                    _ = &mut all_done => break,
                    _ = tick.tick() => {
                        let p = shared.phase();
                        if *phase_tx.borrow() != p {
                            let _ = phase_tx.send(p);
                        }
                        let mut l = local.borrow_mut();
                        shared.delivered.fetch_add(l.delivered - l.published, Relaxed);
                        l.published = l.delivered;
                        shared.acked.fetch_add(l.acked - l.acks_published, Relaxed);
                        l.acks_published = l.acked;
                    }
                }
            }
            Rc::try_unwrap(local)
                .map(RefCell::into_inner)
                .unwrap_or_default()
        })
    })
}

fn wait_until(deadline: Instant, mut done: impl FnMut() -> bool) -> bool {
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    done()
}

/// Runs the plan and returns what was measured. Blocks the calling thread.
pub fn run(
    plans: Vec<ConnPlan>,
    senders: usize,
    opts: &RunOptions,
    side: Option<SideTask>,
) -> Outcome {
    let sessions = plans.len();
    let mut per_sender_receivers = vec![0u64; senders];
    for p in &plans {
        for &s in &p.expect_from {
            per_sender_receivers[s as usize] += 1;
        }
    }
    let shared = Arc::new(Shared {
        run: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64),
        epoch: Instant::now(),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        first_error: Mutex::new(None),
        phase: AtomicU8::new(0),
        start_us: AtomicU64::new(u64::MAX / 4),
        end_us: AtomicU64::new(u64::MAX / 4),
        sent: (0..senders).map(|_| AtomicU64::new(0)).collect(),
        senders_done: AtomicUsize::new(0),
        delivered: AtomicU64::new(0),
        acked: AtomicU64::new(0),
    });
    let rss_before_kb = opts.server_pid.and_then(rss_kb);
    let threads = opts.threads.max(1);
    let mut buckets: Vec<Vec<ConnPlan>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, p) in plans.into_iter().enumerate() {
        buckets[i % threads].push(p);
    }
    let handles: Vec<_> = buckets
        .into_iter()
        .map(|b| client_thread(b, shared.clone(), opts.connect_concurrency))
        .collect();

    let connect_deadline = Instant::now() + Duration::from_secs(120);
    wait_until(connect_deadline, || {
        shared.ready.load(Relaxed) + shared.failed.load(Relaxed) >= sessions
    });
    let connect_all = shared.epoch.elapsed();
    std::thread::sleep(opts.settle);
    let rss_ready_kb = opts.server_pid.and_then(rss_kb);

    let side = side.map(|task| task(shared.clone()));
    let start = shared.now_us() + 50_000;
    shared.start_us.store(start, Relaxed);
    shared
        .end_us
        .store(start + opts.duration.as_micros() as u64, Relaxed);
    shared.phase.store(1, Relaxed);
    std::thread::sleep(opts.duration + Duration::from_millis(50));

    let live_senders = senders.min(shared.ready.load(Relaxed));
    wait_until(Instant::now() + Duration::from_secs(5), || {
        shared.senders_done.load(Relaxed) >= live_senders
    });
    let expected: u64 = (0..senders)
        .map(|s| shared.sent(s as u32) * per_sender_receivers[s])
        .sum();
    let sent: u64 = (0..senders).map(|s| shared.sent(s as u32)).sum();
    wait_until(Instant::now() + opts.drain, || {
        shared.delivered.load(Relaxed) >= expected && shared.acked.load(Relaxed) >= sent
    });
    shared.phase.store(2, Relaxed);

    let mut m = Local::default();
    for h in handles {
        m.merge(h.join().expect("client thread"));
    }
    let side = side.map(|h| h.join().expect("side thread"));
    let first_error = shared.first_error.lock().expect("error lock").clone();
    Outcome {
        m,
        sessions,
        failed: shared.failed.load(Relaxed),
        first_error,
        connect_all,
        sent,
        expected,
        start_us: start,
        end_us: shared.end_us(),
        rss_before_kb,
        rss_ready_kb,
        side,
    }
}
