//! `loadgen`: drives microchat (or the bare reference server) through its
//! public contract and reports throughput, latency, loss and memory.

mod bare;
mod cache;
mod clock;
mod conn;
mod driver;
mod files;
mod net;
mod proto;
mod readers;
mod report;
mod scenarios;
mod search;
mod servers;
mod stats;
mod target;
mod world;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "loadgen", about = "Load generator for microchat")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bare broadcast reference server (no auth, no storage).
    BareServer {
        /// Loopback address; port 0 picks a free one (printed on stdout).
        #[arg(long, default_value = "127.0.0.1:8090")]
        bind: SocketAddr,
        /// Worker threads (default: one per core, like microchat).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// M members in one chat, S senders at a fixed total rate.
    Fanout(scenarios::FanoutArgs),
    /// Many small chats with senders spread across them.
    Rooms(scenarios::RoomsArgs),
    /// Many senders into few chats, each awaiting its acks.
    Ingest(scenarios::IngestArgs),
    /// N sessions held open; server RSS per session.
    Idle(scenarios::SessionsArgs),
    /// N sessions opened at once with tokens in hand: time to all `ready`.
    Connect(scenarios::SessionsArgs),
    /// History reads while `rooms` runs.
    History(scenarios::HistoryArgs),
    /// Upload/download MB/s of a large file; server RSS under concurrent uploads.
    Files(files::FilesArgs),
    /// Search latency (p50/p99) over a large seeded history.
    Search(search::SearchArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    Microchat,
    Bare,
    /// The bare server first, then microchat, then their ratio.
    Both,
}

/// Options every scenario takes.
#[derive(Args, Clone)]
pub struct Common {
    /// microchat's base URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Keep the users this makes on microchat in this file (JSON lines) and
    /// reuse them next time: registering is slow by design (Argon2). Start
    /// the server with a long --access-token-ttl; delete the file with the
    /// database.
    #[arg(long)]
    users_file: Option<std::path::PathBuf>,
    /// Base URLs WebSocket sessions connect to instead of --url, user by
    /// user in turn (user id modulo their number): e.g. two instances of a
    /// cluster, directly, while setup goes through --url. Loopback only.
    #[arg(long, value_delimiter = ',')]
    ws_urls: Vec<String>,
    /// Which server(s) to measure.
    #[arg(long, value_enum, default_value = "microchat")]
    target: Which,
    /// A bare server already running; by default one is started on a free port.
    #[arg(long)]
    bare_url: Option<String>,
    /// Workers of the bare server started here (default: one per core).
    #[arg(long)]
    bare_workers: Option<usize>,
    /// microchat's process id, to read its RSS from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Client threads, each with its own runtime.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Sessions connecting at once per client thread.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Seconds to wait for deliveries still in flight after sending stops.
    #[arg(long, default_value_t = 5.0)]
    drain: f64,
    /// Print one JSON line per report instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::BareServer { bind, workers } => {
            if !bind.ip().is_loopback() {
                eprintln!("loadgen: the bare server binds to loopback addresses only");
                return ExitCode::from(2);
            }
            let workers = workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            actix_rt::System::new()
                .block_on(bare::serve(bind, workers))
                .map_err(|e| e.to_string())
        }
        Command::Fanout(a) => scenarios::fanout(&a),
        Command::Rooms(a) => scenarios::rooms(&a),
        Command::Ingest(a) => scenarios::ingest(&a),
        Command::Idle(a) => scenarios::sessions(&a, "idle"),
        Command::Connect(a) => scenarios::sessions(&a, "connect"),
        Command::History(a) => scenarios::history(&a),
        Command::Files(a) => files::files(&a),
        Command::Search(a) => search::search(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}
