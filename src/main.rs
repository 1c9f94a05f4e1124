use std::process::ExitCode;

use clap::Parser;
use microchat::config::{Cli, Command, UserCommand};
use microchat::healthcheck::{self, Target};
use microchat::startup::Application;
use microchat::{admin, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    // Before validation: a container health check may exit only 0 or 1.
    if let Some(Command::Healthcheck { url }) = &cli.command {
        return health(url.as_deref(), &cli);
    }
    if let Err(e) = cli.settings.validate() {
        eprintln!("microchat: {e}");
        return ExitCode::from(2);
    }
    let result: Result<(), Box<dyn std::error::Error>> = match cli.command.unwrap_or(Command::Serve)
    {
        Command::Serve => match Application::build(cli.settings).await {
            Ok(app) => app.run_until_stopped().await.map_err(Into::into),
            Err(e) => Err(e.into()),
        },
        Command::Migrate => admin::migrate(&cli.settings).map_err(Into::into),
        Command::User {
            command: UserCommand::SetRole { username, role },
        } => admin::set_role(&cli.settings, &username, &role).map_err(Into::into),
        Command::Healthcheck { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            eprintln!("microchat: {e}");
            ExitCode::FAILURE
        }
    }
}

fn health(url: Option<&str>, cli: &Cli) -> ExitCode {
    let target = match url {
        Some(url) => Target::parse(url),
        None => Ok(Target::from_bind(cli.settings.bind)),
    };
    match target.and_then(|t| healthcheck::probe(&t)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("microchat: healthcheck: {e}");
            ExitCode::FAILURE
        }
    }
}
