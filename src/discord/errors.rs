//! One place decides what a user sees when something goes wrong: their own
//! mistakes get a private explanation, our failures a short apology with an
//! id to quote, and the details go to the log.

use super::Data;
use crate::app::AppError;
use crate::import::ImportError;
use crate::store::StoreError;
use poise::serenity_prelude as serenity;

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Something the user can fix; the text is shown to them.
    #[error("{0}")]
    User(String),
    /// What the application layer refused or failed to do.
    #[error(transparent)]
    App(#[from] AppError),
    /// Boxed: serenity's error is large and every handler returns this type.
    #[error("Discord: {0}")]
    Discord(Box<serenity::Error>),
    #[error("cannot start: {0}")]
    Startup(String),
    #[error("{0}")]
    Internal(String),
    /// The bot stopped by itself and cannot go on; says what to do.
    #[error("{0}")]
    Stopped(String),
}

impl From<StoreError> for BotError {
    fn from(e: StoreError) -> Self {
        BotError::App(e.into())
    }
}

impl From<ImportError> for BotError {
    fn from(e: ImportError) -> Self {
        BotError::App(e.into())
    }
}

impl From<serenity::Error> for BotError {
    fn from(e: serenity::Error) -> Self {
        BotError::Discord(Box::new(e))
    }
}

impl BotError {
    pub fn user(text: impl Into<String>) -> Self {
        BotError::User(text.into())
    }

    /// The text for the user, when the error is theirs to fix.
    fn user_text(&self) -> Option<String> {
        match self {
            BotError::User(t) => Some(t.clone()),
            BotError::App(e) if e.is_users() => Some(app_words(e)),
            _ => None,
        }
    }
}

/// The application's refusals, in words for someone in Discord.
fn app_words(e: &AppError) -> String {
    use super::render::quote;
    match e {
        AppError::NotAllowed {
            reference,
            leads,
            linked,
        } => {
            let leads = if leads.is_empty() {
                "no named lead".to_string()
            } else {
                leads.join(", ")
            };
            let unlinked = if *linked {
                ""
            } else {
                " Your Discord account is not linked to a lead: a plan admin can link it with /people link."
            };
            format!(
                "Only the action's leads ({}) and plan admins can change {}; nothing was changed.{unlinked}",
                quote(&leads),
                quote(reference)
            )
        }
        AppError::NotAdmin => "Only plan admins can do this.".into(),
        AppError::NotOwner { code, owners } => format!(
            "Only the owners of {} ({}) and plan admins can record it; nothing was changed.",
            quote(code),
            quote(&if owners.is_empty() {
                "none named".to_string()
            } else {
                owners.join(", ")
            })
        ),
        AppError::NoSuchMeasure { plan, code } => format!(
            "Plan \"{}\" has no measure {}; /measures lists them.",
            quote(plan),
            quote(code)
        ),
        AppError::NoSuchRisk { plan, code } => format!(
            "Plan \"{}\" has no risk {}; /risks lists them.",
            quote(plan),
            quote(code)
        ),
        AppError::AlreadyRecorded {
            measure,
            period,
            value,
            by,
            ..
        } => format!(
            "{} already has {} for {}, recorded by {}. To correct it, press Correct it, or run the command again with correct: True. Nothing was changed.",
            quote(measure),
            quote(value),
            quote(period),
            quote(by)
        ),
        AppError::SameValue {
            measure,
            period,
            value,
        } => format!(
            "{} already has {} for {}, with the same note: the correction changes nothing, so nothing was recorded.",
            quote(measure),
            quote(value),
            quote(period)
        ),
        AppError::BadValue(e) => format!("{e}. Nothing was changed."),
        AppError::BadPeriod(e) => format!("{e}. Nothing was changed."),
        AppError::BadRating(e) => format!("{e}. Nothing was changed."),
        AppError::AsOfBeforeLatest { day, latest } => format!(
            "The plan already records changes up to {}, so an import cannot be dated {}; nothing was imported.",
            latest.format("%-d %b %Y"),
            day.format("%-d %b %Y")
        ),
        AppError::SettingDiffers {
            plan,
            setting,
            has,
            given,
        } => format!(
            "Plan \"{}\" has {setting} {has}, not {given}; an import does not change a plan's settings. Nothing was imported.",
            quote(plan)
        ),
        AppError::AsOfInFuture { day } => format!(
            "{} is in the future; date an import today or earlier. Nothing was imported.",
            day.format("%-d %b %Y")
        ),
        AppError::JobInFuture { as_of, time_zone } => format!(
            "{} is still to come: a job is run by hand as of now or earlier. Nothing was queued.",
            as_of
                .with_timezone(time_zone)
                .format("%a %-d %b %Y %H:%M %Z")
        ),
        AppError::BeforeFirstRecord { plan, asked, first } => format!(
            "Plan \"{}\" has no record before its first import, on {}: planbot cannot say how it stood on {}.",
            quote(plan),
            first.format("%-d %b %Y"),
            asked.format("%-d %b %Y")
        ),
        AppError::QuarterNotBegun { quarter, starts } => format!(
            "{quarter} has not begun: it starts on {}. Ask for a quarter under way or past.",
            starts.format("%-d %b %Y")
        ),
        AppError::NotSecretary => "Only board secretaries and plan admins can pull digests.".into(),
        AppError::BadRequest(e) => format!("{e}. Nothing was changed."),
        AppError::NoSuchAction { plan, reference } => format!(
            "Plan \"{}\" has no action {}; /actions lists them.",
            quote(plan),
            quote(reference)
        ),
        AppError::NoSuchPlan { name, known } if !known.is_empty() => format!(
            "This server has no plan called \"{}\". Its plans: {}.",
            quote(name),
            quote(&known.join(", "))
        ),
        // The other plans may be other servers': they are not named.
        AppError::NewPlanWithoutActions { name, .. } => format!(
            "The plan \"{}\" has not been imported yet, and a file without actions does not start one: import its actions first. Nothing was imported.",
            quote(name)
        ),
        AppError::NoSuchPlan { name, .. } => {
            format!("No plan is called \"{}\".", quote(name))
        }
        AppError::SeveralPlans(names) => format!(
            "This server has several plans ({}); say which with the plan option.",
            quote(&names.join(", "))
        ),
        AppError::NotImported(name) => format!(
            "The plan \"{}\" has not been imported yet. A plan admin can use /plan import.",
            quote(name)
        ),
        AppError::NoPlans => "There is no plan yet. A plan admin can use /plan import.".into(),
        AppError::NoSuchPerson(name) => format!(
            "Nobody called \"{}\" leads anything in this server's plans; use the name as the plan writes it (see /people list).",
            quote(name)
        ),
        AppError::NotADiscordId => "That is not a Discord account.".into(),
        AppError::DiscordIdTaken { discord_id, name } => {
            format!("<@{discord_id}> is already linked to {}.", quote(name))
        }
        AppError::BadQuarter(e) => format!("{e}."),
        AppError::BadFile(e) => format!("Nothing was imported. {e}"),
        AppError::BadHolidays(e) => format!("Nothing was imported: {e}."),
        AppError::Job(e) => format!("{e}."),
        AppError::Store(e) => e.to_string(),
        AppError::Internal(e) => e.clone(),
    }
}

pub(super) async fn on_error(error: poise::FrameworkError<'_, Data, BotError>) {
    let (ctx, text) = match error {
        poise::FrameworkError::Command { error, ctx, .. } => (ctx, text_for(error, &ctx)),
        poise::FrameworkError::ArgumentParse { input, ctx, .. } => {
            let what = input.map(|i| format!(" \"{i}\"")).unwrap_or_default();
            (
                ctx,
                format!(
                    "I could not read the option{what}. Check it against the command's description and try again."
                ),
            )
        }
        poise::FrameworkError::MissingUserPermissions { ctx, .. }
        | poise::FrameworkError::NotAnOwner { ctx, .. } => {
            (ctx, "Only plan admins can use this command.".to_string())
        }
        poise::FrameworkError::GuildOnly { ctx, .. } => {
            (ctx, "Use this command in the plan's server.".to_string())
        }
        poise::FrameworkError::UnknownInteraction {
            framework,
            interaction,
            ..
        } => {
            return super::stale::unknown_command(framework.serenity_context, interaction).await;
        }
        poise::FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => (
            poise::Context::Application(ctx),
            super::stale::mismatch(ctx, description),
        ),
        poise::FrameworkError::SubcommandRequired { ctx, .. } => {
            (ctx, super::stale::subcommand_missing(ctx))
        }
        poise::FrameworkError::CommandCheckFailed { ctx, error, .. } => {
            let text = match error {
                Some(e) => text_for(e, &ctx),
                None => "You are not allowed to use this command.".into(),
            };
            (ctx, text)
        }
        other => {
            // Whatever else went wrong, the user is still waiting for an answer.
            let id = error_id();
            tracing::error!(error_id = %id, "unhandled framework error: {other}");
            match other.ctx() {
                Some(ctx) => (ctx, apology(&id)),
                None => return,
            }
        }
    };
    let reply = poise::CreateReply::default()
        .content(super::render::fit_message(&text))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    if let Err(e) = ctx.send(reply).await {
        tracing::warn!("could not tell the user about an error: {e}");
    }
}

/// The user's own mistake in words, or an apology with an id for the log.
fn text_for(error: BotError, ctx: &super::Context<'_>) -> String {
    // Who may do it is named by this server's own role names.
    let roles = super::access::guild_settings(ctx).ok();
    match (&error, roles) {
        (BotError::App(AppError::NotAdmin), Some(g)) => {
            return format!(
                "Only members with the \"{}\" role can do this.",
                g.admin_role
            );
        }
        (BotError::App(AppError::NotSecretary), Some(g)) => {
            return format!(
                "Only members with the \"{}\" or \"{}\" role can pull digests.",
                g.secretary_role, g.admin_role
            );
        }
        _ => {}
    }
    error.text_for_user(&format!(
        "/{} by {}",
        ctx.command().qualified_name,
        ctx.author().id
    ))
}

impl BotError {
    /// What the user is told: their mistake in words, or an apology with an
    /// id, with the details logged against it and `what` they were doing.
    pub(super) fn text_for_user(&self, what: &str) -> String {
        self.user_text().unwrap_or_else(|| {
            let id = error_id();
            tracing::error!(error_id = %id, what, "{self}");
            apology(&id)
        })
    }
}

fn apology(id: &str) -> String {
    format!(
        "Sorry, something went wrong on our side. If it keeps happening, tell a plan admin and quote error {id}."
    )
}

/// Short enough to read out, unique enough to find in the log.
fn error_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:08X}",
        (nanos as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32
    )
}
