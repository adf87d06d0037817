//! Lines a command writes to stderr outside the log (its warnings and the
//! error it ends with): text, or with `PLANBOT_LOG_FORMAT=json` one JSON
//! object each, as the log's own lines are, for a log collector.

use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// From `PLANBOT_LOG_FORMAT`; the value given, when it is not a format.
    pub fn from_env() -> Result<LogFormat, String> {
        let Ok(value) = std::env::var("PLANBOT_LOG_FORMAT") else {
            return Ok(LogFormat::Text);
        };
        match value.trim().to_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "text" | "" => Ok(LogFormat::Text),
            _ => Err(value),
        }
    }
}

/// "warning: ..." or "error: ...", or the same as a JSON log line.
pub fn line(level: Level, text: &str) {
    let text = text.trim_end();
    let out = match LogFormat::from_env() {
        Ok(LogFormat::Json) => serde_json::json!({
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "level": level.json(),
            "message": text,
            "target": "planbot",
        })
        .to_string(),
        _ => format!("{}: {text}", level.word()),
    };
    // A stderr that went away has no one to tell.
    let _ = writeln!(std::io::stderr().lock(), "{out}");
}

#[derive(Debug, Clone, Copy)]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    fn json(self) -> &'static str {
        match self {
            Level::Warning => "WARN",
            Level::Error => "ERROR",
        }
    }
}
