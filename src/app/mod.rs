//! The application layer: one function per thing a user can do, called by
//! every adapter (slash commands, buttons, modals, the command line, the
//! demo). Each takes who is acting and `now`, and returns a typed outcome or
//! an [`AppError`]; the adapters only read input and word the answer.

pub mod backup;
pub mod digest;
pub mod health;
pub mod holidays;
pub mod imported;
pub mod jobs;
pub mod measures;
pub mod people;
pub mod plan_io;
pub mod plans;
pub mod risks;
pub mod scheduler;
pub mod setup;
pub mod status;
pub mod summary;

use crate::import::ImportError;
use crate::jobs::JobError;
use crate::plan::access;
use crate::plan::{QuarterError, RequestError};
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

/// Who is asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// What to call them when they lead nothing: their Discord user name,
    /// or the name given on the command line.
    pub name: String,
    pub discord_id: Option<u64>,
    /// The lead they are, when already known (the command line's `--by`);
    /// otherwise looked up from `discord_id`.
    pub person: Option<String>,
    pub is_admin: bool,
    pub is_secretary: bool,
}

impl Actor {
    /// The command line's `--by NAME`: whoever can run planbot on the
    /// database may do anything, and the history names them as they say.
    pub fn trusted(name: &str) -> Actor {
        Actor {
            name: name.trim().to_string(),
            person: Some(name.trim().to_string()),
            is_admin: true,
            is_secretary: true,
            ..Actor::default()
        }
    }

    /// planbot itself, for the scheduled jobs.
    pub fn system() -> Actor {
        Actor::trusted("planbot")
    }

    /// A Discord user with the roles they hold in the plan's server.
    pub fn discord(user_name: &str, user_id: u64, is_admin: bool, is_secretary: bool) -> Actor {
        Actor {
            name: user_name.to_string(),
            discord_id: Some(user_id),
            person: None,
            is_admin,
            is_secretary,
        }
    }

    /// Their rights, with the lead their Discord account is linked to.
    pub async fn rights(&self, store: &Store) -> Result<access::Actor, AppError> {
        let linked = match (&self.person, self.discord_id) {
            (None, Some(id)) => store.person_by_discord_id(id).await?.map(|p| p.name),
            _ => None,
        };
        Ok(self.rights_linked(linked.as_deref()))
    }

    /// Their rights, given the lead their Discord account is linked to,
    /// as the caller found it.
    pub fn rights_linked(&self, linked: Option<&str>) -> access::Actor {
        access::Actor {
            person: self.person.clone().or(linked.map(str::to_string)),
            is_admin: self.is_admin,
            is_secretary: self.is_secretary,
        }
    }

    /// The Discord account whose linked lead their rights depend on.
    pub fn linked_account(&self) -> Option<u64> {
        self.person.is_none().then_some(self.discord_id).flatten()
    }
}

/// Why an operation was not done. Every adapter words these itself.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("only the leads of {reference} and plan admins can change it")]
    NotAllowed {
        reference: String,
        leads: Vec<String>,
        /// Whether the actor's account is linked to a lead at all.
        linked: bool,
    },
    #[error("only plan admins can do this")]
    NotAdmin,
    #[error("only the owners of {code} and plan admins can record it")]
    NotOwner { code: String, owners: Vec<String> },
    #[error("plan \"{plan}\" has no measure {code}")]
    NoSuchMeasure { plan: String, code: String },
    #[error("plan \"{plan}\" has no risk {code}")]
    NoSuchRisk { plan: String, code: String },
    /// A value is already recorded for the period: say whether to correct it.
    #[error("{measure} already has {value} for {period}, recorded by {by}")]
    AlreadyRecorded {
        measure: String,
        period: String,
        /// The period's first day, for a button that corrects it.
        start: chrono::NaiveDate,
        value: String,
        by: String,
    },
    /// A correction to the value and note already recorded.
    #[error("{measure} already has {value} for {period}")]
    SameValue {
        measure: String,
        period: String,
        value: String,
    },
    #[error("{0}")]
    BadValue(#[from] crate::plan::measure::ValueError),
    #[error("{0}")]
    BadPeriod(#[from] crate::plan::measure::PeriodError),
    #[error("{0}")]
    BadRating(#[from] crate::plan::risk::RatingError),
    /// An import dated before what the plan already records.
    #[error(
        "the plan records changes up to {latest}; an import cannot be dated {day}, before them"
    )]
    AsOfBeforeLatest { day: NaiveDate, latest: NaiveDate },
    #[error("{day} is in the future; an import is dated today or earlier")]
    AsOfInFuture { day: NaiveDate },
    /// A job run by hand as of a time to come: what it queued would stand
    /// for the real run's messages, which would then not go.
    #[error(
        "{as_of} is in the future; a job is run as of now or earlier (or tried with a dry run)"
    )]
    JobInFuture {
        as_of: DateTime<Utc>,
        time_zone: crate::plan::Zone,
    },
    /// A question about a day before the plan's record begins.
    #[error("plan \"{plan}\" has no record before its first import on {first}")]
    BeforeFirstRecord {
        plan: String,
        asked: NaiveDate,
        first: NaiveDate,
    },
    /// A digest asked for of a quarter still to come.
    #[error(
        "{quarter} has not begun (it starts on {starts}); a digest is of a quarter under way or past"
    )]
    QuarterNotBegun { quarter: String, starts: NaiveDate },
    /// An import asked for a setting the existing plan does not have.
    #[error(
        "plan \"{plan}\" has {setting} {has}, not {given}; an import sets a plan's settings only when it creates the plan"
    )]
    SettingDiffers {
        plan: String,
        setting: &'static str,
        has: String,
        given: String,
    },
    #[error("only board secretaries and plan admins can pull digests")]
    NotSecretary,
    #[error("{0}")]
    BadRequest(#[from] RequestError),
    #[error("plan \"{plan}\" has no action {reference}")]
    NoSuchAction { plan: String, reference: String },
    /// `known` are the plans the name could have been.
    #[error("no plan is called \"{name}\"")]
    NoSuchPlan { name: String, known: Vec<String> },
    /// A file without actions for a plan the database does not have, while
    /// it has others: most likely a mistyped name, which would otherwise
    /// start a second plan.
    #[error("no plan is called \"{name}\", and a file without actions does not start one")]
    NewPlanWithoutActions { name: String, known: Vec<String> },
    #[error("there are several plans ({})", .0.join(", "))]
    SeveralPlans(Vec<String>),
    #[error("the plan \"{0}\" has not been imported yet")]
    NotImported(String),
    #[error("there is no plan yet")]
    NoPlans,
    #[error("nobody called \"{0}\" leads anything")]
    NoSuchPerson(String),
    #[error("0 is not a Discord user id")]
    NotADiscordId,
    #[error("Discord user {discord_id} is already linked to {name}")]
    DiscordIdTaken { discord_id: u64, name: String },
    #[error("{0}")]
    BadQuarter(#[from] QuarterError),
    #[error(transparent)]
    BadFile(#[from] ImportError),
    #[error(transparent)]
    BadHolidays(#[from] crate::import::HolidaysError),
    #[error(transparent)]
    Job(#[from] JobError),
    /// The database, or something else on our side.
    #[error(transparent)]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchAction { plan, reference } => {
                AppError::NoSuchAction { plan, reference }
            }
            StoreError::NoSuchPlan(name) => AppError::NoSuchPlan {
                name,
                known: Vec::new(),
            },
            StoreError::NoPlans => AppError::NoPlans,
            StoreError::AmbiguousPlan(names) => AppError::SeveralPlans(names),
            StoreError::NoSuchPerson(name) => AppError::NoSuchPerson(name),
            StoreError::NotADiscordId => AppError::NotADiscordId,
            StoreError::NoSuchMeasure { plan, code } => AppError::NoSuchMeasure { plan, code },
            StoreError::NoSuchRisk { plan, code } => AppError::NoSuchRisk { plan, code },
            StoreError::DiscordIdTaken { discord_id, name } => {
                AppError::DiscordIdTaken { discord_id, name }
            }
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    /// Whether the user can do something about it (otherwise it is ours).
    pub fn is_users(&self) -> bool {
        !matches!(
            self,
            AppError::Store(_) | AppError::Internal(_) | AppError::Job(JobError::Store(_))
        )
    }
}

/// A note trimmed, empty as none, and refused when too long for a board
/// paper line.
fn clean_note(note: Option<String>) -> Result<Option<String>, AppError> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    match note {
        Some(n) if n.chars().count() > crate::plan::MAX_NOTE_CHARS => {
            Err(RequestError::NoteTooLong(n.chars().count()).into())
        }
        other => Ok(other),
    }
}

/// Runs CPU-heavy work (file parsing, rendering) off the async runtime, so
/// that a big sheet or a chart does not stall the bot's other answers.
pub(crate) async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("a worker thread failed: {e}")))
}
