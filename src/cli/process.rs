//! The whole process, from the arguments to the exit code.
//!
//! It lives in the library, not in `main.rs`: async and generic code reached
//! from the binary crate is compiled again into it, and this was a second
//! copy of much of planbot (1.7 MB more code, most of it run at every start).

use super::stderr::{Level, LogFormat, line};
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Runs `planbot` with the process's arguments and environment.
pub fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run_process())
}

async fn run_process() -> ExitCode {
    let format = match LogFormat::from_env() {
        Ok(format) => format,
        Err(other) => {
            eprintln!(
                "error: PLANBOT_LOG_FORMAT=\"{other}\" is not a log format: use json or text"
            );
            return ExitCode::from(2);
        }
    };
    let cli = match super::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and the version go to stdout as clap prints them.
        Err(e) if !e.use_stderr() => e.exit(),
        // A usage error: exit 2, its text a JSON line in a JSON log.
        Err(e) if format == LogFormat::Json => {
            let text = e.render().to_string();
            line(Level::Error, text.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    // The bot reports its progress; one-off commands speak only of trouble.
    let default_filter = match cli.command {
        super::Command::Run { .. } => "warn,planbot=info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLANBOT_LOG")
        .unwrap_or_else(|_| default_filter.into());
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // A log line that cannot be written (a reader that went away, as
        // `2>&1 | head` does) is dropped: reporting it would print to the
        // same closed stderr, panic, and could leave a database thread hung.
        .log_internal_errors(false);
    // One JSON object per line, for a log collector (journald's, Loki, ...).
    match format {
        LogFormat::Json => log.json().flatten_event(true).init(),
        LogFormat::Text => log
            // Colour codes are noise in a log file or a pipe.
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
    }
    let mut stdout = std::io::stdout();
    match super::run(cli, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has all it wanted, as with `planbot actions | head -1`.
        Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The last line of a JSON log is JSON too, whatever the filter.
            line(Level::Error, &one_line(&e));
            let usage = e.chain().any(|c| c.is::<super::UsageError>());
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, each said once: many errors already quote
/// their cause, and saying it again only buries the point.
fn one_line(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
