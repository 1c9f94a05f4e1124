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
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => match Application::build(cli.settings).await {
            Ok(app) => app.run_until_stopped().await.map_err(Into::into),
            Err(e) => Err(e),
        },
        Command::Migrate => admin::migrate(&cli.settings),
        Command::User {
            command: UserCommand::SetRole { username, role },
        } => admin::set_role(&cli.settings, &username, &role),
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
