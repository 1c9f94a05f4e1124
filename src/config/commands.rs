//! The command line: subcommands, each taking the [`Settings`] flags, and
//! settings at their defaults for tests and embedding.

use clap::{Parser, Subcommand};

use super::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "microchat",
    version,
    about = "A self-hostable realtime group chat server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, WebSocket and web UI (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administer accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// GET /healthz once and exit 0 if it answers 200, else 1 (for
    /// container health checks; the default URL is built from --bind).
    Healthcheck {
        /// http://HOST[:PORT][/PATH] to probe instead (the path defaults to /healthz).
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Change a user's role, e.g. `microchat user set-role alice admin`.
    SetRole { username: String, role: String },
}

impl Settings {
    /// Settings for tests and embedding: everything at its default.
    pub fn for_database(url: &str) -> Settings {
        let cli = Cli::parse_from(["microchat", "--database-url", url, "--bind", "127.0.0.1:0"]);
        cli.settings
    }
}
