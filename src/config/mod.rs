//! Settings for `planbot run`: a TOML file, then environment overrides. The
//! Discord token comes only from the environment and is never printed.

mod hooks;
mod jobs;

pub use hooks::{Gate, TestHooks};
pub use jobs::JobSettings;

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

pub const DISCORD_API_BASE: &str = "https://discord.com";

/// Where planbot keeps its data when no `--db` or `PLANBOT_DB` is given: the
/// same path as `store::DEFAULT_DB_PATH` (config is data and uses no store;
/// tests/it/architecture.rs keeps the two equal).
pub const DEFAULT_DB_PATH: &str = "data/planbot.db";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("config {path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{key} is not set: {hint}")]
    Missing {
        key: &'static str,
        hint: &'static str,
    },
    #[error("{key}: {reason}")]
    Bad { key: String, reason: String },
    #[error("cannot read the token file {path}: {reason}")]
    TokenFile { path: PathBuf, reason: String },
}

/// The bot's token. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub discord: DiscordSettings,
    pub guilds: Vec<GuildSettings>,
    pub jobs: JobSettings,
}

/// The file as written; its `[jobs]` table is parsed after the other checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    database: DatabaseSettings,
    #[serde(default)]
    discord: DiscordSettings,
    #[serde(default)]
    guilds: Vec<GuildSettings>,
    #[serde(default)]
    jobs: jobs::JobsFile,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    #[serde(default = "default_db_path")]
    pub path: PathBuf,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            path: default_db_path(),
        }
    }
}

fn default_db_path() -> PathBuf {
    PathBuf::from(DEFAULT_DB_PATH)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// Where Discord's API is; a Discord-compatible server for tests.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// Register commands in each configured guild (instant) or globally.
    #[serde(default)]
    pub register_globally: bool,
    #[serde(skip)]
    pub token: Option<Secret>,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        DiscordSettings {
            api_base: default_api_base(),
            register_globally: false,
            token: None,
        }
    }
}

fn default_api_base() -> String {
    DISCORD_API_BASE.to_string()
}

/// One Discord server and the plans it works on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuildSettings {
    pub id: u64,
    pub plans: Vec<String>,
    /// Members with this role may change any action and use admin commands.
    #[serde(default = "default_admin_role")]
    pub admin_role: String,
    /// Members with this role may pull digests.
    #[serde(default = "default_secretary_role")]
    pub secretary_role: String,
    /// Where escalations and notices to the admins go.
    #[serde(default)]
    pub plan_channel: Option<u64>,
    /// Where a reminder goes when its lead cannot get a direct message
    /// (default: the plan channel).
    #[serde(default)]
    pub reminder_channel: Option<u64>,
    /// Where the quarterly digest is posted.
    #[serde(default)]
    pub board_channel: Option<u64>,
}

fn default_admin_role() -> String {
    "Plan admin".into()
}

fn default_secretary_role() -> String {
    "Board secretary".into()
}

impl GuildSettings {
    /// A guild with the default role names.
    pub fn new(id: u64, plans: Vec<String>) -> Self {
        GuildSettings {
            id,
            plans,
            admin_role: default_admin_role(),
            secretary_role: default_secretary_role(),
            plan_channel: None,
            reminder_channel: None,
            board_channel: None,
        }
    }

    pub fn reminder_channel(&self) -> Option<u64> {
        self.reminder_channel.or(self.plan_channel)
    }
}

/// The error for a missing token, as `planbot run` gives it.
pub fn missing_token() -> ConfigError {
    ConfigError::Missing {
        key: "DISCORD_TOKEN",
        hint: "set it in the environment, or name a file holding it in \
               DISCORD_TOKEN_FILE (never in the config file)",
    }
}

impl Settings {
    /// Settings for a Discord-compatible server on this machine: the demo,
    /// the tests and the benchmarks. The scheduler is off until asked for.
    pub fn local(
        api_base: String,
        db: PathBuf,
        token: &str,
        guilds: Vec<GuildSettings>,
    ) -> Settings {
        Settings {
            database: DatabaseSettings { path: db },
            discord: DiscordSettings {
                api_base,
                register_globally: false,
                token: Some(Secret::new(token)),
            },
            guilds,
            jobs: JobSettings {
                enabled: false,
                ..JobSettings::default()
            },
        }
    }

    /// Reads the file (if any), applies environment overrides and checks the
    /// result, token included: what `planbot run` needs.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let settings = Settings::load_offline(file, env)?;
        if settings.discord.token.is_none() {
            return Err(missing_token());
        }
        Ok(settings)
    }

    /// As [`Settings::load`], without needing a token: for the CLI's job commands.
    pub fn load_offline(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let mut file: SettingsFile = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
                toml::from_str(&text).map_err(|e| {
                    let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
                    ConfigError::Invalid {
                        path: line.map_or(path.display().to_string(), |l| {
                            format!("{} line {l}", path.display())
                        }),
                        reason: e.message().to_string(),
                    }
                })?
            }
            None => toml::from_str("").expect("an empty config is valid"),
        };
        if let Some(db) = env("PLANBOT_DB").filter(|v| !v.is_empty()) {
            file.database.path = PathBuf::from(db);
        }
        if let Some(base) = env("DISCORD_API_BASE").filter(|v| !v.is_empty()) {
            file.discord.api_base = base;
        }
        file.discord.token = token_from_env(&env)?;
        file.check()?;
        let jobs = file
            .jobs
            .parse()
            .map_err(|(key, reason)| ConfigError::Bad { key, reason })?;
        Ok(Settings {
            database: file.database,
            discord: file.discord,
            guilds: file.guilds,
            jobs,
        })
    }
}

/// The token from DISCORD_TOKEN, or from the file DISCORD_TOKEN_FILE names,
/// or from the systemd credential `discord-token` (LoadCredential=), in that
/// order. A file is how systemd credentials and container secrets hand it
/// over, and keeps it out of `ps` and the unit file.
pub fn token_from_env(
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, ConfigError> {
    let set = |key| env(key).filter(|v| !v.trim().is_empty());
    if let Some(token) = set("DISCORD_TOKEN") {
        return Ok(Some(Secret::new(token.trim())));
    }
    let file = match (set("DISCORD_TOKEN_FILE"), set("CREDENTIALS_DIRECTORY")) {
        (Some(file), _) => PathBuf::from(file),
        (None, Some(dir)) if Path::new(&dir).join(CREDENTIAL).is_file() => {
            Path::new(&dir).join(CREDENTIAL)
        }
        _ => return Ok(None),
    };
    // The error names the file, never what is in it.
    let bad = |reason: String| ConfigError::TokenFile {
        path: file.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&file).map_err(|e| bad(e.to_string()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(bad("it should hold the bot token alone, on one line".into()));
    }
    Ok(Some(Secret::new(token)))
}

/// The name of the systemd credential that holds the token.
pub const CREDENTIAL: &str = "discord-token";

impl SettingsFile {
    fn check(&self) -> Result<(), ConfigError> {
        let base = self.discord.api_base.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ConfigError::Bad {
                key: "discord.api_base".into(),
                reason: format!("\"{base}\" is not an http(s) URL"),
            });
        }
        if self.guilds.is_empty() {
            return Err(ConfigError::Missing {
                key: "guilds",
                hint: "add a [[guilds]] table with the server's id and its plans",
            });
        }
        for (i, g) in self.guilds.iter().enumerate() {
            if g.plans.is_empty() {
                return Err(ConfigError::Bad {
                    key: format!("guilds[{i}].plans"),
                    reason: "name at least one plan".into(),
                });
            }
        }
        Ok(())
    }
}

impl Settings {
    /// The server a plan belongs to: the first that lists it.
    pub fn guild_of_plan(&self, plan: &str) -> Option<&GuildSettings> {
        self.guilds
            .iter()
            .find(|g| g.plans.iter().any(|p| p.eq_ignore_ascii_case(plan)))
    }

    pub fn guild(&self, id: u64) -> Option<&GuildSettings> {
        self.guilds.iter().find(|g| g.id == id)
    }

    /// True when the API base is Discord's own.
    pub fn is_discord(&self) -> bool {
        self.discord.api_base.trim_end_matches('/') == DISCORD_API_BASE
    }
}
