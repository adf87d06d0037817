//! The command line: every admin task, no Discord needed.

mod actor;
mod backup;
mod check;
mod commands;
mod database;
mod health;
mod holidays;
mod jobs;
mod measures;
mod output;
mod process;
pub mod stderr;
mod words;

use crate::store::DEFAULT_DB_PATH;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub use commands::run;
pub use process::main;

/// `planbot --version`: the schema too, since a database written by a newer
/// planbot is refused.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (database schema {})",
        env!("CARGO_PKG_VERSION"),
        crate::store::latest_schema_version()
    )
});

/// planbot keeps an improvement plan's actions, leads, quarters and RAG
/// statuses, reminds leads of what is overdue and builds the board's digest.
#[derive(Debug, Parser)]
#[command(name = "planbot", version = VERSION.as_str(), about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// `--db` and `--plan` written before the command: `planbot --db FILE plans`.
/// Written after it, they are the command's own; either way one value results.
#[derive(Debug, Args)]
pub struct Global {
    /// The database file (default data/planbot.db, or PLANBOT_DB)
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Which plan to work on; needed only when the database holds several
    #[arg(long, value_name = "NAME")]
    pub plan: Option<String>,
}

/// The database a command works on. Global, so that it may follow a
/// sub-subcommand too: `planbot people link NAME ID --db FILE`.
#[derive(Debug, Args, Clone, Default)]
pub struct Db {
    /// The database file [default: data/planbot.db]
    #[arg(long, global = true, env = "PLANBOT_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

impl Db {
    pub fn path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DB_PATH))
    }
}

/// The database and the plan a command works on.
#[derive(Debug, Args, Clone, Default)]
pub struct Target {
    #[command(flatten)]
    pub db: Db,
    /// Which plan to work on; needed only when the database holds several
    #[arg(long, global = true, env = "PLANBOT_PLAN", value_name = "NAME")]
    pub plan: Option<String>,
}

/// A request the command line cannot make sense of: exit code 2, as for
/// the usage errors clap finds itself.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a plan from a .csv or .xlsx file (creates the plan if new)
    ///
    /// Columns are found by their headers: Priority, Ref, Group, Action, Leads,
    /// Strategic Leads, Due, Status, Recommendations, Evidence (and common
    /// aliases such as Theme, Owner, Timeframe, RAG). A file with Code and
    /// Recommendation columns is read as the plan's list of recommendations.
    /// A workbook's sheets of outcomes, measures, measure values and risks are
    /// read too (found by sheet name or header), as is a CSV file of one of them.
    /// Nothing changes unless every row of every sheet is good.
    Import(ImportArgs),
    /// Write the plan to CSV, in the columns `import` reads
    Export {
        /// Write here instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Which sheet: the actions, or the outcomes, measures, measure values, risks or recommendations
        #[arg(long, value_enum, default_value = "actions")]
        kind: ExportKind,
        #[command(flatten)]
        target: Target,
    },
    /// List the plans in the database
    Plans(Db),
    /// List actions, filtered
    Actions(ListArgs),
    /// Show one action in full, with its recent history
    Show {
        /// The action's reference, such as 4.2
        #[arg(value_name = "REF")]
        reference: String,
        /// One JSON object, with the history, instead of text
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Record a status update on an action
    Status(StatusArgs),
    /// Show an action's full history of status updates
    History {
        /// The action's reference, such as 4.2
        #[arg(value_name = "REF")]
        reference: String,
        /// One JSON object per update instead of a line of text
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// List the plan's measures with their latest value, off target first
    Measures(MeasuresArgs),
    /// Record a measure's value, or show every value recorded for it
    Measure {
        #[command(subcommand)]
        command: MeasureCommand,
        #[command(flatten)]
        target: Target,
    },
    /// List the risk register, highest score first, with the change since last quarter
    Risks(RisksArgs),
    /// Review a risk: its likelihood and impact now
    Risk {
        #[command(subcommand)]
        command: RiskCommand,
        #[command(flatten)]
        target: Target,
    },
    /// List the people who lead actions, or link one to their Discord account
    People {
        #[command(subcommand)]
        command: Option<PeopleCommand>,
        #[command(flatten)]
        list: PeopleList,
        #[command(flatten)]
        db: Db,
    },
    /// Make the board digest for a quarter, as the plan stood at its end
    ///
    /// Markdown, CSV (one row per action, status then and now), a self-contained
    /// HTML board paper and a PNG chart. Without --quarter, the quarter just
    /// ended; a quarter still running is shown as it stands now.
    Digest(DigestArgs),
    /// Show what planbot does, on the example Kirklees plan, in a scratch database
    Demo,
    /// planbot's licence, and that of the font it carries for the digest chart
    Licences,
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
        #[command(flatten)]
        target: Target,
    },
    /// Show the outbox: messages waiting to be sent and those that failed
    Outbox {
        /// Show sent and expired messages too
        #[arg(long)]
        all: bool,
        /// One JSON object per message instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: Db,
    },
    /// The bank holidays reminders keep: list how far ahead they are known,
    /// import gov.uk's file, or choose a plan's division
    ///
    /// Reminders wait for working time, which skips bank holidays. planbot
    /// ships England and Wales's for 2018-2027; import later years from
    /// https://www.gov.uk/bank-holidays.json (saved to a file) once a year.
    Holidays {
        #[command(subcommand)]
        command: Option<HolidaysCommand>,
        /// The TOML settings file, as for `run` (for dates it lists)
        #[arg(long, env = "PLANBOT_CONFIG", value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(flatten)]
        target: Target,
    },
    /// For monitoring: is a bot running the jobs and getting messages out?
    ///
    /// Exits 0 with one line when all is well; otherwise 1, with one line per
    /// problem: no `planbot run` holds the scheduler lease (stopped, crashed or
    /// hung), messages due for a while and not sent, messages Discord refused
    /// for good. Reads the database only.
    Health {
        /// Report messages still unsent this many minutes after they were due
        #[arg(long, default_value_t = 15, value_name = "MINUTES",
              value_parser = clap::value_parser!(u32).range(1..=10_080))]
        backlog_minutes: u32,
        /// Report messages that failed for good within this many days
        #[arg(long, default_value_t = 7, value_name = "DAYS",
              value_parser = clap::value_parser!(u32).range(1..=3_660))]
        failed_days: u32,
        #[command(flatten)]
        db: Db,
    },
    /// Copy the database into a new file, checked, while the bot runs on
    ///
    /// The copy is the database as it stood at one moment (SQLite's VACUUM
    /// INTO), checked as `verify` checks, and given its name only once it is
    /// complete: a full disk leaves no partial file.
    Backup {
        /// The file to write; it must not exist yet
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: Db,
    },
    /// Replace the database with a backup (stop the bot first)
    ///
    /// The backup is checked first; the database it replaces is kept beside
    /// it as PATH.before-restore-TIME.
    Restore {
        /// The backup file
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Check the database: SQLite's integrity and foreign keys, every
    /// action's history, the outbox, the tables kept for quick reads
    Verify {
        /// Rebuild the tables kept for quick reads from what they are kept
        /// from, then check
        #[arg(long)]
        repair: bool,
        #[command(flatten)]
        db: Db,
    },
    /// Run the Discord bot (the token comes from DISCORD_TOKEN)
    ///
    /// Settings come from the config file (see config/planbot.example.toml),
    /// then from --db (or PLANBOT_DB) and DISCORD_API_BASE. The plans it works
    /// on are the config file's. Stops cleanly on Ctrl-C or SIGTERM.
    Run {
        /// The TOML settings file
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The database file, instead of the config file's database.path
        #[arg(long, env = "PLANBOT_DB", value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Check the setup `run` would use, changing nothing
    ///
    /// Asks Discord (with DISCORD_TOKEN) who the bot is, then for each
    /// configured server: is the bot in it, do the configured channels exist
    /// and may the bot post there, do the admin and secretary roles exist,
    /// are the slash commands registered, and are the plans' linked leads
    /// members. One line per check; exit code 1 when any is a problem.
    Check {
        /// The TOML settings file, as for `run`
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The database file, instead of the config file's database.path
        #[arg(long, env = "PLANBOT_DB", value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Print the link that adds the bot to a server, with the permissions it needs
    ///
    /// The application id is read from DISCORD_TOKEN; nothing is sent anywhere.
    Invite {
        /// The TOML settings file, as for `run` (checked, if given)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum HolidaysCommand {
    /// Read gov.uk's bank-holidays.json (all three divisions) into the database
    Import {
        /// The file, as downloaded from https://www.gov.uk/bank-holidays.json
        file: PathBuf,
    },
    /// Keep this division's bank holidays in the plan's reminders
    Use {
        /// england-and-wales, scotland or northern-ireland
        #[arg(value_enum)]
        division: crate::schedule::Division,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Each job's schedule and next fire time, in the plan's time zone
    List {
        /// One JSON object per job instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Run a job once, as of a time (default now), and queue what it decides
    Run {
        /// chase, quarter-end, escalate or digest
        #[arg(value_enum)]
        job: crate::jobs::JobName,
        /// As if it were this time: 2019-05-20T08:00:00Z, or "2019-05-20 09:00" on the plan's clock
        #[arg(long, value_parser = jobs::parse_when, value_name = "TIME")]
        as_of: Option<jobs::When>,
        /// Show what it would send without queueing anything
        #[arg(long)]
        dry_run: bool,
    },
}

/// The sheets `export` writes, one kind per file.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportKind {
    Actions,
    Outcomes,
    Measures,
    Values,
    Risks,
    Recommendations,
}

impl ExportKind {
    pub fn sheet(self) -> crate::import::SheetKind {
        use crate::import::SheetKind as S;
        match self {
            ExportKind::Actions => S::Actions,
            ExportKind::Outcomes => S::Outcomes,
            ExportKind::Measures => S::Measures,
            ExportKind::Values => S::Values,
            ExportKind::Risks => S::Risks,
            ExportKind::Recommendations => S::Recommendations,
        }
    }
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
    /// Record the sheet's statuses, values and risk ratings as reported at the end of this day
    /// (2019-03-31 or 31/03/2019), not now; not before the plan's latest recorded change
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// For a new plan: its time zone [default: Europe/London]. Given for a plan that
    /// exists, it must be the plan's own: an import does not change it
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<crate::plan::Zone>,
    /// For a new plan: the month its financial year starts (4 = April) [default: 4]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=12), value_name = "MONTH")]
    pub year_start_month: Option<u32>,
    /// For a new plan: days without an update before an action counts as stale [default: 30]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "DAYS")]
    pub stale_days: Option<u32>,
    #[command(flatten)]
    pub target: Target,
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
    #[command(flatten)]
    pub target: Target,
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
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The action's reference, such as 4.2
    #[arg(value_name = "REF")]
    pub reference: String,
    /// red, amber, green, not started or complete (or R, A, G, C, done, on track ...)
    #[arg(value_parser = parse_status, value_name = "STATUS")]
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
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Args)]
pub struct MeasuresArgs {
    /// Only measures off target (amber or red)
    #[arg(long)]
    pub off_target: bool,
    /// As the values stood at the end of this day (2019-03-31 or 31/03/2019)
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Subcommand)]
pub enum MeasureCommand {
    /// Record a value for a period (by default the last one due)
    Record {
        /// The measure's code, such as M1
        code: String,
        /// The value in the measure's unit: 72%, 14, £1,200, 3 days
        value: String,
        /// Which period: a date, a month ("May 2019") or a quarter ("Q1 19/20")
        #[arg(long, value_name = "P")]
        period: Option<String>,
        /// What lies behind the figure (up to 1,000 characters)
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Replace the value already recorded for the period
        #[arg(long)]
        correct: bool,
        /// Who is recording it (kept with the value)
        #[arg(long, value_name = "NAME")]
        by: String,
    },
    /// Every value recorded for a measure, corrections included
    History {
        /// The measure's code, such as M1
        code: String,
        /// One JSON object per value instead of a line of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct RisksArgs {
    /// The register as it stood at the end of this day (2019-03-31 or 31/03/2019)
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Record a review: likelihood and impact, each 1 to 5
    Review {
        /// The risk's code, such as R1
        code: String,
        /// How likely, 1 (rare) to 5 (almost certain)
        #[arg(long, value_name = "L")]
        likelihood: i64,
        /// How bad if it happens, 1 (negligible) to 5 (catastrophic)
        #[arg(long, value_name = "I")]
        impact: i64,
        /// What has changed (up to 1,000 characters)
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// When to review it next (2019-09-30 or 30/09/2019)
        #[arg(long, value_parser = parse_day, value_name = "DATE")]
        next_review: Option<chrono::NaiveDate>,
        /// Who is reviewing it (kept with the review)
        #[arg(long, value_name = "NAME")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// List people, with the Discord account each is linked to
    List(PeopleList),
    /// Link a lead's name to their Discord user id (Developer Mode > Copy User ID)
    Link {
        /// The lead's name, as the plan spells it
        #[arg(value_name = "NAME")]
        name: String,
        /// The number Discord's Copy User ID gives, such as 80351110224678912
        #[arg(value_name = "DISCORD_USER_ID", value_parser = parse_discord_id)]
        discord_id: u64,
    },
}

#[derive(Debug, Args, Clone, Default)]
pub struct PeopleList {
    /// One JSON object per person instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The smallest id Discord could have given an account: ids count
/// milliseconds from 2015 in their top bits, and Discord opened months later.
const SMALLEST_DISCORD_ID: u64 = 10_000_000_000_000_000;

fn parse_discord_id(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(id) if id >= SMALLEST_DISCORD_ID => Ok(id),
        _ => Err(format!(
            "\"{s}\" is not a Discord user id: those are numbers of 17 to 20 digits, such as \
             80351110224678912 (Developer Mode > Copy User ID)"
        )),
    }
}

fn parse_status(s: &str) -> Result<crate::plan::Status, String> {
    crate::plan::Status::parse(s).map_err(|e| e.to_string())
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::plan::parse_date(s).map_err(|e| e.to_string())
}
