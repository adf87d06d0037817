use super::database::{db_wait, explain, open, unused_options};
use super::output::{action_detail, action_json, action_table, change_json, change_line, table};
use super::{
    Cli, Command, DigestArgs, ImportArgs, ListArgs, PeopleCommand, PeopleList, StatusArgs,
    UsageError,
};
use crate::import::{Parsed, read_plan_path};
use crate::plan::{AsOf, StatusRequest};
use crate::store::{ActionFilter, ImportOptions, OpenOptions, PlanSettings, Store};
use anyhow::{Context, Result, bail};
use chrono::Utc;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Runs one command, writing what it shows to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> Result<()> {
    let wait = db_wait(std::env::var("PLANBOT_DB_WAIT").ok())?;
    unused_options(&cli)?;
    if let Command::Digest(args) = &cli.command {
        digest_needs_a_folder(args)?;
    }
    match cli.command {
        Command::Demo => return crate::demo::run(out).await,
        Command::Run { config, db } => return run_bot(config.as_deref(), db, wait).await,
        _ => {}
    }
    let (db, plan_name) = cli.command.target();
    let path = db.path();
    let opened = open(&cli.command, &path, wait).await?;
    let result = dispatch(&opened.store, plan_name.as_deref(), cli.command, out).await;
    opened.store.close().await;
    result.map_err(|e| explain(e, &path, wait))
}

const NEEDS_A_FOLDER: &str = "a chart or several files need a folder: add --out DIR";

fn digest_needs_a_folder(args: &DigestArgs) -> Result<(), UsageError> {
    let one_text_file = matches!(
        args.format,
        crate::digest::Format::Md | crate::digest::Format::Csv | crate::digest::Format::Html
    );
    if args.out.is_none() && !one_text_file {
        return Err(UsageError(NEEDS_A_FOLDER.into()));
    }
    Ok(())
}

async fn dispatch(
    store: &Store,
    plan_name: Option<&str>,
    command: Command,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    match command {
        Command::Import(args) => import(store, plan_name, args, out).await,
        Command::Export { out: file, .. } => {
            let plan = store.find_plan(plan_name).await?;
            let csv = crate::import::export_csv(
                &plan,
                &store.priorities(&plan).await?,
                &store
                    .actions(&plan, &ActionFilter::default(), plan.today(Utc::now()))
                    .await?,
            );
            match file {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(csv.as_bytes())?,
            }
            Ok(())
        }
        Command::Plans(_) => {
            let rows: Vec<Vec<String>> = store
                .plans()
                .await?
                .into_iter()
                .map(|p| {
                    vec![
                        p.name,
                        p.time_zone.name().to_string(),
                        format!("month {}", p.year_start.month()),
                        format!("{} days", p.stale_days),
                    ]
                })
                .collect();
            writeln!(
                out,
                "{}",
                table(&["Plan", "Time zone", "Year starts", "Stale after"], &rows)
            )?;
            Ok(())
        }
        Command::Actions(args) => list(store, plan_name, args, out).await,
        Command::Jobs {
            command, config, ..
        } => super::jobs::jobs(store, plan_name, config.as_deref(), command, out).await,
        Command::Outbox { all, json, .. } => super::jobs::outbox(store, all, json, out).await,
        Command::Show {
            reference, json, ..
        } => {
            let plan = store.find_plan(plan_name).await?;
            let action = store.action(&plan, &reference).await?;
            let history = store.history(&plan, &reference).await?;
            let today = plan.today(Utc::now());
            if json {
                let mut v = action_json(&plan, &action, today);
                v["history"] = history.iter().map(change_json).collect();
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "{}", action_detail(&plan, &action, today, &history))?;
            }
            Ok(())
        }
        Command::Status(args) => status(store, plan_name, args, out).await,
        Command::Digest(args) => digest(store, plan_name, args, out).await,
        Command::History {
            reference, json, ..
        } => {
            let plan = store.find_plan(plan_name).await?;
            for c in store.history(&plan, &reference).await? {
                if json {
                    writeln!(out, "{}", change_json(&c))?;
                } else {
                    writeln!(out, "{}", change_line(&plan, &c))?;
                }
            }
            Ok(())
        }
        Command::People { command, list, .. } => match command {
            Some(PeopleCommand::Link {
                name, discord_id, ..
            }) => {
                let person = store.link_person(&name, discord_id).await?;
                writeln!(
                    out,
                    "{} is now linked to Discord user {discord_id}",
                    person.name
                )?;
                Ok(())
            }
            Some(PeopleCommand::List(PeopleList { json: asked })) => {
                list_people(store, asked || list.json, out).await
            }
            None => list_people(store, list.json, out).await,
        },
        Command::Demo | Command::Run { .. } => unreachable!("handled before the store opens"),
    }
}

async fn list_people(store: &Store, json: bool, out: &mut (dyn Write + Send)) -> Result<()> {
    let people = store.people().await?;
    if json {
        for p in &people {
            writeln!(out, "{}", serde_json::to_string(p)?)?;
        }
    } else {
        let rows: Vec<Vec<String>> = people
            .into_iter()
            .map(|p| {
                vec![
                    p.person.name,
                    p.person
                        .discord_id
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "not linked".into()),
                    p.open_actions.to_string(),
                ]
            })
            .collect();
        writeln!(
            out,
            "{}",
            table(&["Name", "Discord user", "Open actions"], &rows)
        )?;
    }
    Ok(())
}

async fn import(
    store: &Store,
    plan_name: Option<&str>,
    args: ImportArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match plan_name {
        Some(n) => n.to_string(),
        None => match store.plans().await?.as_slice() {
            [only] => only.name.clone(),
            [] => bail!("name the new plan with --plan NAME"),
            _ => bail!("there are several plans; say which with --plan"),
        },
    };
    let existing = store.find_plan(Some(&name)).await.ok();
    let year_start = match &existing {
        Some(p) => p.year_start,
        None => crate::plan::YearStart::new(args.year_start_month)?,
    };
    let file = read_plan_path(&args.file, year_start)?;
    print_warnings(&file)?;
    let opts = ImportOptions {
        actor: format!("import of {file_name}"),
        at: Utc::now(),
        prune: args.prune,
        dry_run: args.dry_run,
        settings: PlanSettings {
            time_zone: args.time_zone,
            year_start,
            stale_days: args.stale_days,
        },
    };
    let verb = if args.dry_run { "would" } else { "did" };
    match file.parsed {
        Parsed::Recommendations(recs) => {
            let count = store.import_recommendations(&name, &recs, &opts).await?;
            writeln!(
                out,
                "{name}: read {} recommendations; the plan has {count}",
                recs.len()
            )?;
        }
        Parsed::Plan(content) => {
            let o = store.import_plan(&name, &content, &opts).await?;
            let created = if o.plan_created { " (new plan)" } else { "" };
            writeln!(
                out,
                "{name}{created}: {} actions read; {verb} create {}, update {}, leave {} unchanged; {} status changes recorded",
                content.actions.len(),
                o.created.len(),
                o.updated.len(),
                o.unchanged,
                o.status_changes
            )?;
            if !o.missing.is_empty() {
                let what = if args.prune {
                    format!("{verb} remove")
                } else {
                    "kept; use --prune to remove them".into()
                };
                writeln!(out, "not in the file ({what}): {}", o.missing.join(", "))?;
            }
            for c in &o.cleared {
                let what = if args.dry_run {
                    "would clear"
                } else {
                    "cleared"
                };
                let refs = capped_list(&c.refs, 20);
                writeln!(out, "{what} {} (empty in the file): {refs}", c.column)?;
            }
            if !o.new_people.is_empty() {
                let what = if args.dry_run { "would add" } else { "added" };
                let names = capped_list(&o.new_people, 50);
                writeln!(out, "new people ({what}): {names}")?;
            }
        }
    }
    if args.dry_run {
        writeln!(out, "dry run: nothing was changed")?;
    }
    Ok(())
}

/// Warnings go to stderr, so that stdout stays the outcome.
fn print_warnings(file: &crate::import::ImportFile) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for w in &file.warnings {
        writeln!(err, "warning: {w}")?;
    }
    if file.more_warnings > 0 {
        writeln!(err, "warning: and {} more warnings", file.more_warnings)?;
    }
    Ok(())
}

/// "a, b, c and 7 more".
fn capped_list(items: &[String], max: usize) -> String {
    let shown = items[..items.len().min(max)].join(", ");
    match items.len().saturating_sub(max) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

async fn list(
    store: &Store,
    plan_name: Option<&str>,
    args: ListArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = store.find_plan(plan_name).await?;
    let filter = ActionFilter {
        priority: args.priority,
        status: args.status,
        lead: args.lead,
        overdue: args.overdue,
    };
    let (actions, today) = match args.as_of {
        Some(day) => {
            let as_of = AsOf::end_of_day(day, plan.time_zone);
            (store.actions_as_of(&plan, &filter, as_of).await?, day)
        }
        None => {
            let today = plan.today(Utc::now());
            (store.actions(&plan, &filter, today).await?, today)
        }
    };
    if args.json {
        for a in &actions {
            writeln!(out, "{}", action_json(&plan, a, today))?;
        }
    } else if actions.is_empty() {
        writeln!(out, "No actions match.")?;
    } else {
        writeln!(out, "{}", action_table(&plan, &actions, today))?;
        writeln!(out, "{} actions", actions.len())?;
    }
    Ok(())
}

async fn status(
    store: &Store,
    plan_name: Option<&str>,
    args: StatusArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = store.find_plan(plan_name).await?;
    let request = StatusRequest {
        to: args.status,
        note: args.note,
        evidence: args.evidence,
        by: args.by,
        by_discord_id: None,
        at: Utc::now(),
    }
    .validated()?;
    let updated = store
        .record_status(&plan, &args.reference, &request)
        .await?;
    writeln!(
        out,
        "{} {}: {} -> {} (recorded for {})",
        updated.after.reference,
        super::output::shorten(&updated.after.text, 60),
        updated.before.status.label(),
        updated.after.status.label(),
        request.by
    )?;
    Ok(())
}

async fn run_bot(config: Option<&Path>, db: Option<PathBuf>, wait: Duration) -> Result<()> {
    let mut settings = crate::config::Settings::load(config, |k| std::env::var(k).ok())?;
    if let Some(db) = db {
        settings.database.path = db;
    }
    let options = OpenOptions { create: true, wait };
    let store = Store::open_with(&settings.database.path, options).await?;
    tracing::info!(db = %settings.database.path.display(), api = %settings.discord.api_base, "starting planbot");
    // For rehearsals and tests: the bot believes it started at this moment.
    let clock = match std::env::var("PLANBOT_FAKE_NOW") {
        Ok(t) if !t.is_empty() => {
            let at = chrono::DateTime::parse_from_rfc3339(&t)
                .with_context(|| format!("PLANBOT_FAKE_NOW=\"{t}\" is not an RFC 3339 time"))?;
            tracing::warn!(start = %at, "running on a rehearsal clock (PLANBOT_FAKE_NOW)");
            crate::clock::Clock::starting_at(at.with_timezone(&Utc))
        }
        _ => crate::clock::Clock::system(),
    };
    let mut bot = crate::discord::start(settings, store.clone(), clock).await?;
    // The bot ends by itself only when it cannot go on: exit non-zero, so
    // that a service manager restarts it or raises the alarm.
    let ended = tokio::select! {
        _ = shutdown_signal() => None,
        ended = bot.wait() => Some(ended),
    };
    match ended {
        None => {
            tracing::info!("shutting down");
            bot.shutdown().await;
            store.close().await;
            Ok(())
        }
        Some(ended) => {
            store.close().await;
            Err(ended.err().map_or_else(
                || anyhow::anyhow!("the bot stopped by itself"),
                anyhow::Error::from,
            ))
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn digest(
    store: &Store,
    plan_name: Option<&str>,
    args: DigestArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = store.find_plan(plan_name).await?;
    let now = Utc::now();
    let (quarter, as_of) = match &args.quarter {
        Some(q) => {
            let q = plan
                .year_start
                .parse_quarter(q)
                .map_err(|e| UsageError(e.to_string()))?;
            (q, crate::digest::quarter_as_of(&plan, q, now))
        }
        None => crate::digest::last_quarter(&plan, now),
    };
    let digest = crate::digest::make(store, &plan, quarter, as_of, now).await?;
    let formats = args.format.expand();
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for f in formats {
                let (name, bytes) = crate::digest::render(&digest, f)?;
                let path = dir.join(&name);
                std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(out, "wrote {}", path.display())?;
            }
        }
        None => match formats.as_slice() {
            [
                f @ (crate::digest::Format::Md
                | crate::digest::Format::Csv
                | crate::digest::Format::Html),
            ] => {
                out.write_all(&crate::digest::render(&digest, *f)?.1)?;
            }
            _ => return Err(UsageError(NEEDS_A_FOLDER.into()).into()),
        },
    }
    crate::digest::record(store, &plan, &digest, now).await?;
    Ok(())
}
