use clap::Parser;
use std::io::IsTerminal;
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
    let format = std::env::var("PLANBOT_LOG_FORMAT").map(|f| f.trim().to_lowercase());
    let json = format.as_deref() == Ok("json");
    match format.as_deref() {
        Ok("json") => log.json().flatten_event(true).init(),
        Ok("text") | Ok("") | Err(_) => log
            // Colour codes are noise in a log file or a pipe.
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
        Ok(other) => {
            eprintln!(
                "error: PLANBOT_LOG_FORMAT=\"{other}\" is not a log format: use json or text"
            );
            return ExitCode::from(2);
        }
    }
    let mut stdout = std::io::stdout();
    match planbot::cli::run(cli, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has all it wanted, as with `planbot actions | head -1`.
        Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let text = one_line(&e);
            if json {
                // The last line of a JSON log is JSON too, whatever the filter.
                let line = serde_json::json!({
                    "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    "level": "ERROR",
                    "message": text,
                    "target": "planbot",
                });
                eprintln!("{line}");
            } else {
                eprintln!("error: {text}");
            }
            let usage = e.chain().any(|c| c.is::<planbot::cli::UsageError>());
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
