//! The command line: every admin task, no Discord needed.

mod commands;
mod jobs;
pub(crate) mod output;

use crate::store::DEFAULT_DB_PATH;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub use commands::run;

/// planbot keeps an improvement plan's actions, leads, quarters and RAG
/// statuses, reminds leads of what is overdue and builds the board's digest.
#[derive(Debug, Parser)]
#[command(name = "planbot", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The database file (created on first use)
    #[arg(long, global = true, env = "PLANBOT_DB", default_value = DEFAULT_DB_PATH, value_name = "PATH")]
    pub db: PathBuf,
    /// Which plan to work on; needed only when the database holds several
    #[arg(long, global = true, env = "PLANBOT_PLAN", value_name = "NAME")]
    pub plan: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a plan from a .csv or .xlsx file (creates the plan if new)
    ///
    /// Columns are found by their headers: Priority, Ref, Group, Action, Leads,
    /// Strategic Leads, Due, Status, Recommendations, Evidence (and common
    /// aliases such as Theme, Owner, Timeframe, RAG). A file with Code and
    /// Recommendation columns is read as the plan's list of recommendations.
    /// Nothing changes unless every row is good.
    Import(ImportArgs),
    /// Write the plan to CSV, in the columns `import` reads
    Export {
        /// Write here instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List the plans in the database
    Plans,
    /// List actions, filtered
    Actions(ListArgs),
    /// Show one action in full, with its recent history
    Show {
        /// The action's reference, such as 4.2
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Record a status update on an action
    Status(StatusArgs),
    /// Show an action's full history of status updates
    History {
        #[arg(value_name = "REF")]
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// List the people who lead actions, or link one to their Discord account
    People {
        #[command(subcommand)]
        command: Option<PeopleCommand>,
        #[arg(long)]
        json: bool,
    },
    /// Make the board digest for a quarter, as the plan stood at its end
    ///
    /// Markdown, CSV (one row per action, status then and now), a self-contained
    /// HTML board paper and a PNG chart. Without --quarter, the quarter just
    /// ended; a quarter still running is shown as it stands now.
    Digest(DigestArgs),
    /// Show what planbot does, on the example Kirklees plan, in a scratch database
    Demo,
    /// List the scheduled jobs, or run one now as if it were another time
    ///
    /// Jobs decide what to send and queue it in the outbox; the running bot
    /// delivers it. Channels and schedules come from the config file; without
    /// one, every plan in the database with the default schedules.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
        /// The TOML settings file, as for `run`
        #[arg(long, env = "PLANBOT_CONFIG", value_name = "FILE", global = true)]
        config: Option<PathBuf>,
    },
    /// Show the outbox: messages waiting to be sent and those that failed
    Outbox {
        /// Show sent and expired messages too
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run the Discord bot (the token comes from DISCORD_TOKEN)
    ///
    /// Settings come from the config file (see config/planbot.example.toml),
    /// then from PLANBOT_DB and DISCORD_API_BASE. Stops cleanly on Ctrl-C or SIGTERM.
    Run {
        /// The TOML settings file
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Each job's schedule and next fire time, in the plan's time zone
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run a job once, as of a time (default now), and queue what it decides
    Run {
        /// chase, quarter-end, escalate or digest
        #[arg(value_enum)]
        job: crate::jobs::JobName,
        /// As if it were this time: 2019-05-20T08:00:00Z, or "2019-05-20 09:00" on the plan's clock
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Show what it would send without queueing anything
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The .csv or .xlsx file
    pub file: PathBuf,
    /// Remove actions that are in the plan but not in the file (their history is kept)
    #[arg(long)]
    pub prune: bool,
    /// Check the file and say what would change, without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// For a new plan: its time zone
    #[arg(long, default_value = "Europe/London", value_name = "ZONE")]
    pub time_zone: chrono_tz::Tz,
    /// For a new plan: the month its financial year starts (4 = April)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=12), value_name = "MONTH")]
    pub year_start_month: u32,
    /// For a new plan: days without an update before an action counts as stale
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..), value_name = "DAYS")]
    pub stale_days: u32,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this priority (its number)
    #[arg(long, value_name = "N")]
    pub priority: Option<u32>,
    /// Only actions this person leads
    #[arg(long, value_name = "NAME")]
    pub lead: Option<String>,
    /// Only this status: red, amber, green, not started, complete (or R, A, G, C ...)
    #[arg(long, value_parser = parse_status, value_name = "STATUS")]
    pub status: Option<crate::plan::Status>,
    /// Only actions past their due date and not complete
    #[arg(long)]
    pub overdue: bool,
    /// Show the plan as it stood at the end of this day (2019-03-31 or 31/03/2019)
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The quarter, such as "Q4 18/19" (default: the quarter just ended)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    /// Which file to make; png and all need --out
    #[arg(long, value_enum, default_value = "md")]
    pub format: crate::digest::Format,
    /// Write the files into this folder instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(value_name = "REF")]
    pub reference: String,
    /// red, amber, green, not started or complete (or R, A, G, C, done, on track ...)
    #[arg(value_parser = parse_status)]
    pub status: crate::plan::Status,
    /// What has happened, in a sentence or two (up to 1,000 characters)
    #[arg(long)]
    pub note: Option<String>,
    /// A link to (or name of) the evidence
    #[arg(long, value_name = "URL")]
    pub evidence: Option<String>,
    /// Who is making the update (kept in the history)
    #[arg(long, value_name = "NAME")]
    pub by: String,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// List people, with the Discord account each is linked to
    List,
    /// Link a lead's name to their Discord user id (Developer Mode > Copy User ID)
    Link {
        name: String,
        #[arg(value_name = "DISCORD_USER_ID")]
        discord_id: u64,
    },
}

fn parse_status(s: &str) -> Result<crate::plan::Status, String> {
    crate::plan::Status::parse(s).map_err(|e| e.to_string())
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::plan::parse_date(s).map_err(|e| e.to_string())
}
