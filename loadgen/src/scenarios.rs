//! The scenarios of issue 5: each sets up its world on every chosen target,
//! runs it, and reports (plus microchat ÷ bare when both ran).

use std::time::Duration;

use clap::Args;

use crate::driver::{self, Outcome, RunOptions, SideTask};
use crate::readers::readers;
use crate::report::{print_ratio, Report};
use crate::servers::{open, Server};

use crate::world::{idle_plans, Load, World};
use crate::{Common, Which};

/// Every run stops by itself: these bound what a command line may ask for.
const MAX_DURATION_S: f64 = 600.0;
const MAX_SESSIONS: usize = 20_000;
const MAX_STEPS: usize = 30;

#[derive(Args)]
pub struct FanoutArgs {
    #[command(flatten)]
    common: Common,
    /// Members of the one chat, each with one session.
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// How many of them send.
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Total messages per second over all senders.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Raise the rate by `--step` until p99 passes `--max-p99-ms` or anything is lost.
    #[arg(long)]
    find_max: bool,
    #[arg(long, default_value_t = 100.0)]
    max_p99_ms: f64,
    #[arg(long, default_value_t = 1.25)]
    step: f64,
    #[arg(long, default_value_t = 12)]
    max_steps: usize,
}

#[derive(Args)]
pub struct RoomsArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 1000)]
    chats: usize,
    /// Members per chat.
    #[arg(long, default_value_t = 10)]
    size: usize,
    #[arg(long, default_value_t = 1)]
    senders_per_chat: usize,
    /// Total messages per second over all senders.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
}

#[derive(Args)]
pub struct IngestArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 1)]
    chats: usize,
    /// Senders (all members), spread over the chats.
    #[arg(long, default_value_t = 100)]
    senders: usize,
    /// Sends awaiting their ack per sender.
    #[arg(long, default_value_t = 1)]
    window: usize,
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
}

#[derive(Args)]
pub struct SessionsArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 1000)]
    sessions: usize,
    /// Distinct users the sessions belong to (tokens are issued beforehand).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Seconds to hold the sessions open once all are ready.
    #[arg(long, default_value_t = 2.0)]
    hold: f64,
    /// Put all the users in one chat first (made once per database, found
    /// again by later runs): a community's reconnect storm.
    #[arg(long)]
    one_chat: bool,
}

#[derive(Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    rooms: RoomsArgs,
    /// Concurrent history readers.
    #[arg(long, default_value_t = 4)]
    readers: usize,
}

pub fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    actix_rt::Runtime::new().expect("setup runtime").block_on(f)
}

fn seconds(s: f64) -> Result<Duration, String> {
    if !(0.0..=MAX_DURATION_S).contains(&s) {
        return Err(format!("durations are 0..={MAX_DURATION_S} seconds"));
    }
    Ok(Duration::from_secs_f64(s))
}

fn options(c: &Common, duration: f64, settle: f64, pid: Option<u32>) -> Result<RunOptions, String> {
    Ok(RunOptions {
        threads: c.threads.clamp(1, 64),
        duration: seconds(duration)?,
        drain: seconds(c.drain)?,
        connect_concurrency: c.connect_concurrency.max(1),
        settle: seconds(settle)?,
        server_pid: pid,
    })
}

fn check_sessions(n: usize) -> Result<(), String> {
    if n == 0 || n > MAX_SESSIONS {
        return Err(format!("sessions must be 1..={MAX_SESSIONS}"));
    }
    Ok(())
}

/// Runs `each` on the chosen target(s), prints, and prints the ratio.
fn on_targets(
    c: &Common,
    mut each: impl FnMut(&Server) -> Result<Report, String>,
) -> Result<(), String> {
    let order: &[Which] = match c.target {
        Which::Both => &[Which::Bare, Which::Microchat],
        one => std::slice::from_ref(match one {
            Which::Bare => &Which::Bare,
            _ => &Which::Microchat,
        }),
    };
    let mut reports = Vec::new();
    for &which in order {
        let server = open(c, which)?;
        let report = each(&server)?;
        drop(server);
        if c.json {
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
        } else {
            report.print();
        }
        reports.push(report);
    }
    if let [bare, chat] = &reports[..] {
        if !c.json {
            print_ratio(bare, chat);
        }
    }
    Ok(())
}

fn traffic(
    s: &Server,
    world: &World,
    senders_per_chat: usize,
    load: Load,
    opts: &RunOptions,
    side: Option<SideTask>,
) -> Outcome {
    let (plans, senders) = world.plans(&s.target, senders_per_chat, load);
    driver::run(plans, senders, opts, side)
}

pub fn fanout(a: &FanoutArgs) -> Result<(), String> {
    check_sessions(a.members)?;
    let c = &a.common;
    on_targets(c, |s| {
        let world = block(World::build(&s.target, a.members, 1))?;
        let opts = options(c, a.duration, 0.0, None)?;
        let run = |rate: f64| {
            let o = traffic(s, &world, a.senders, Load::Rate(rate), &opts, None);
            Report::new("fanout", s.target.name(), rate, o)
        };
        if !a.find_max {
            return Ok(run(a.rate));
        }
        let mut best: Option<Report> = None;
        let mut rate = a.rate;
        for _ in 0..a.max_steps.min(MAX_STEPS) {
            let r = run(rate);
            eprintln!(
                "   [{}] rate {:.0}/s: {:.0} deliveries/s, p99 {:.2} ms, lost {}, dup {}",
                s.target.name(),
                rate,
                r.deliveries_per_s,
                r.latency.p99_ms,
                r.lost,
                r.duplicated
            );
            if !r.clean() || r.latency.p99_ms > a.max_p99_ms {
                break;
            }
            best = Some(r);
            rate *= a.step.max(1.01);
        }
        let mut best = best.ok_or("even the starting rate failed the bound")?;
        best.scenario = format!("fanout --find-max (p99 ≤ {} ms, no loss)", a.max_p99_ms);
        Ok(best)
    })
}

fn rooms_world(s: &Server, a: &RoomsArgs) -> Result<World, String> {
    check_sessions(a.chats * a.size)?;
    block(World::build(&s.target, a.chats * a.size, a.chats))
}

pub fn rooms(a: &RoomsArgs) -> Result<(), String> {
    on_targets(&a.common, |s| {
        let world = rooms_world(s, a)?;
        let opts = options(&a.common, a.duration, 0.0, None)?;
        let o = traffic(
            s,
            &world,
            a.senders_per_chat,
            Load::Rate(a.rate),
            &opts,
            None,
        );
        Ok(Report::new("rooms", s.target.name(), a.rate, o))
    })
}

pub fn ingest(a: &IngestArgs) -> Result<(), String> {
    check_sessions(a.senders)?;
    on_targets(&a.common, |s| {
        let world = block(World::build(&s.target, a.senders, a.chats))?;
        let opts = options(&a.common, a.duration, 0.0, None)?;
        let o = traffic(s, &world, usize::MAX, Load::Window(a.window), &opts, None);
        Ok(Report::new("ingest", s.target.name(), 0.0, o))
    })
}

pub fn sessions(a: &SessionsArgs, name: &str) -> Result<(), String> {
    check_sessions(a.sessions)?;
    let (settle, hold) = if name == "idle" {
        (1.0, a.hold)
    } else {
        (0.0, 0.0)
    };
    on_targets(&a.common, |s| {
        let users = block(s.target.users(a.users.clamp(1, a.sessions)))?;
        let chats = match a.one_chat {
            true => vec![block(s.target.one_chat(&users))?],
            false => Vec::new(),
        };
        let plans = idle_plans(&s.target, &users, a.sessions, &chats);
        let opts = options(&a.common, hold, settle, s.pid)?;
        let o = driver::run(plans, 0, &opts, None);
        Ok(Report::new(name, s.target.name(), 0.0, o))
    })
}

pub fn history(a: &HistoryArgs) -> Result<(), String> {
    let r = &a.rooms;
    on_targets(&r.common, |s| {
        let world = rooms_world(s, r)?;
        let reads = world
            .chats
            .iter()
            .map(|c| {
                (
                    s.target.history_url(c.id),
                    world.users[c.members[0]].token.clone(),
                )
            })
            .collect();
        let opts = options(&r.common, r.duration, 0.0, None)?;
        let side = readers(reads, a.readers);
        let o = traffic(
            s,
            &world,
            r.senders_per_chat,
            Load::Rate(r.rate),
            &opts,
            Some(side),
        );
        Ok(Report::new(
            "history (during rooms)",
            s.target.name(),
            r.rate,
            o,
        ))
    })
}
