use crate::app::plan_io::{ImportRequest, ImportedKind, Source};
use crate::app::plans::{Among, plan_name};
use crate::app::{self, AppError};
use crate::discord::{BotError, Context, Error, access, render};
use crate::plan::summary::{RagCounts, rag_from_counts};
use crate::text::count;
use poise::serenity_prelude as serenity;

/// Larger files are not plans.
const MAX_IMPORT_BYTES: u32 = 5 * 1024 * 1024;

/// The plan as a whole: summary, export, import
#[poise::command(
    slash_command,
    guild_only,
    subcommands("summary", "export", "import"),
    subcommand_required
)]
pub async fn plan(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// RAG status by priority, with what is overdue
#[poise::command(slash_command, guild_only)]
async fn summary(
    ctx: Context<'_>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let summary = app::summary::summary(&ctx.data().store, &plan, ctx.data().clock.now()).await?;
    let today = summary.today;
    let (rows, total) = rag_from_counts(
        summary
            .counted
            .into_iter()
            .map(|c| (c.priority, c.title, c.status, c.overdue, c.actions)),
    );
    let mut labelled: Vec<(String, &RagCounts)> = rows
        .iter()
        .map(|r| (format!("{}. {}", r.number, r.title), &r.counts))
        .collect();
    labelled.push(("Whole plan".into(), &total));
    let table = render::rag_table(&labelled);
    let quarter = plan.year_start.label(plan.year_start.quarter_of(today));
    let mut text = format!(
        "**{}**: {}, {} red, {} overdue ({quarter}, {})\n```\n{}```",
        render::quote(&plan.name),
        count(total.total(), "action", "actions"),
        total.red,
        total.overdue,
        render::date(today),
        table.replace('`', "'")
    );
    let outcomes = summary.outcomes;
    if !outcomes.is_empty() {
        text.push_str("**Outcomes**\n");
        for o in outcomes {
            let [red, amber, green] = o.measures;
            text.push_str(&format!(
                "{} {}: measures {red} red, {amber} amber, {green} green{}; {}, {} overdue\n",
                render::quote(&o.code),
                render::quote(&render::shorten(&o.statement, 90)),
                if o.unmeasured > 0 {
                    format!(", {} with no value yet", o.unmeasured)
                } else {
                    String::new()
                },
                count(o.actions, "action", "actions"),
                o.actions_overdue
            ));
        }
    }
    render::send_text(ctx, &text, false, "summary.txt").await
}

/// The plan as a CSV file, in the columns /plan import reads
#[poise::command(slash_command, guild_only)]
async fn export(
    ctx: Context<'_>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let done = app::plan_io::export_plan(&ctx.data().store, &plan, ctx.data().clock.now()).await?;
    let reply = poise::CreateReply::default()
        .content(format!(
            "{} of {}.",
            count(done.actions, "action", "actions"),
            render::quote(&plan.name)
        ))
        .attachment(serenity::CreateAttachment::bytes(
            done.csv.into_bytes(),
            done.file_name,
        ))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    ctx.send(reply).await?;
    Ok(())
}

/// Import the plan from a .csv or .xlsx file (plan admins)
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "crate::discord::access::require_admin"
)]
async fn import(
    ctx: Context<'_>,
    #[description = "The plan as .csv or .xlsx, with a header row"] file: serenity::Attachment,
    #[description = "Remove actions that are not in the file (their history is kept)"]
    prune: Option<bool>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let guild = access::guild_settings(&ctx)?;
    let store = &ctx.data().store;
    // The plan may be new: check the name against the server's config only.
    let name = plan_name(store, plan.as_deref(), Among::These(&guild.plans)).await?;
    if file.size > MAX_IMPORT_BYTES {
        return Err(BotError::user(format!(
            "{} is {} bytes; a plan file is at most 5 MB.",
            file.filename, file.size
        )));
    }
    let source = Source::Bytes {
        file_name: file.filename.clone(),
        bytes: file.download().await?,
    };
    let prune = prune.unwrap_or(false);
    let request = ImportRequest {
        prune,
        // The server's config names the plan: no typo to catch.
        name_checked: true,
        ..Default::default()
    };
    let actor = access::app_actor(&ctx).await;
    let now = ctx.data().clock.now();
    let done = match app::plan_io::import_plan(store, &actor, &name, source, request, now).await {
        Ok(done) => done,
        // Every problem is listed, in a file if they do not fit a message.
        Err(AppError::BadFile(e)) => {
            let text = format!("Nothing was imported. {e}");
            return render::send_text(ctx, &text, true, "import-errors.txt").await;
        }
        Err(e) => return Err(e.into()),
    };
    let mut text = match &done.what {
        ImportedKind::Register if done.register.is_empty() => {
            "The file has a header and no rows under it; nothing to import.".to_string()
        }
        ImportedKind::Register => format!("Imported into {}:", render::quote(&name)),
        ImportedKind::Recommendations { read, total } => format!(
            "Read {}; {} has {total}.",
            count(*read, "recommendation", "recommendations"),
            render::quote(&name)
        ),
        ImportedKind::Plan { read, outcome: o } => {
            let mut t = format!(
                "Imported {} into {}: {} new, {} changed, {} unchanged, {} recorded.",
                count(*read, "action", "actions"),
                render::quote(&name),
                o.created.len(),
                o.updated.len(),
                o.unchanged,
                count(o.status_changes, "status change", "status changes")
            );
            if !o.missing.is_empty() {
                let what = if prune {
                    "removed"
                } else {
                    "kept; import again with prune to remove them"
                };
                t.push_str(&format!(
                    "\nNot in the file ({what}): {}",
                    o.missing.join(", ")
                ));
            }
            if !o.overrides.is_empty() {
                let tz = store.find_plan(Some(&name)).await?.time_zone;
                let overrides: Vec<String> = o.overrides.iter().map(|x| x.describe(tz)).collect();
                t.push_str(&format!(
                    "\nOverrode updates made since the last import: {}",
                    overrides.join(", ")
                ));
            }
            t
        }
    };
    if !done.register.is_empty() {
        text.push_str(&format!("\nAlso read {}.", done.register.describe()));
        for line in done.recorded.describe(&done.register, false) {
            text.push_str(&format!("\n{}", render::quote(&line)));
        }
    }
    for w in &done.warnings {
        text.push_str(&format!("\nNote: {}", render::quote(w)));
    }
    render::send_text(ctx, &text, true, "import.txt").await
}
