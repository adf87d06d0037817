use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // clap exits with 2 on a usage error by itself.
    let cli = planbot::cli::Cli::parse();
    // The bot reports its progress; one-off commands speak only of trouble.
    let default_filter = match cli.command {
        planbot::cli::Command::Run { .. } => "warn,planbot=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PLANBOT_LOG")
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut stdout = std::io::stdout();
    match planbot::cli::run(cli, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
