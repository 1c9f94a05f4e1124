use std::process::ExitCode;

use clap::Parser;
use microchat::config::{Cli, Command, UserCommand};
use microchat::startup::Application;
use microchat::{admin, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
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
