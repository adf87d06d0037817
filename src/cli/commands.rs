use super::database::{db_wait, explain, open, unused_options};
use super::output::{action_detail, action_json, action_table, change_json, change_line, table};
use super::{
    Cli, Command, DigestArgs, ImportArgs, ListArgs, PeopleCommand, PeopleList, StatusArgs,
    UsageError,
};
use crate::app::plan_io::{ImportRequest, ImportedKind, NewPlanSettings, Source};
use crate::app::plans::{Among, find_plan, plan_name};
use crate::app::{self, Actor};
use crate::plan::AsOf;
use crate::store::{ActionFilter, OpenOptions, Store};
use crate::text::{capped_list, count};
use anyhow::{Context, Result};
use chrono::Utc;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

const LICENCES: &str = "planbot is licensed under the MIT licence or the Apache License 2.0, \
at your option (LICENSE-MIT and LICENSE-APACHE in its source).\n\
It carries the DejaVu Sans font, to draw the digest chart, under this licence:";

/// Runs one command, writing what it shows to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> Result<()> {
    let wait = db_wait(std::env::var("PLANBOT_DB_WAIT").ok())?;
    unused_options(&cli)?;
    if let Command::Digest(args) = &cli.command {
        digest_needs_a_folder(args)?;
    }
    match cli.command {
        Command::Demo => return crate::demo::run(out).await,
        Command::Licences => {
            writeln!(out, "{LICENCES}\n\n{}", crate::digest::FONT_LICENCE)?;
            return Ok(());
        }
        Command::Run { config, db } => return run_bot(config.as_deref(), db, wait).await,
        // They work on the database file as a whole, not through one plan.
        command @ (Command::Backup { .. } | Command::Restore { .. } | Command::Verify { .. }) => {
            return super::backup::run(command, wait, out).await;
        }
        Command::Check { config, db } => {
            return super::check::check(config.as_deref(), db, wait, out).await;
        }
        Command::Invite { config } => return super::check::invite(config.as_deref(), out),
        _ => {}
    }
    let (db, plan_name) = cli.command.target();
    let path = db.path();
    let new_database = !path.exists();
    let opened = open(&cli.command, &path, wait).await?;
    let result = dispatch(&opened.store, plan_name.as_deref(), cli.command, out).await;
    opened.store.close().await;
    if result.is_err() && new_database {
        // A first import that fails leaves no empty database behind.
        remove_database(&path);
    }
    result.map_err(|e| explain(super::words::word(e), &path, wait))
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
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
        Command::Export {
            out: file, kind, ..
        } => {
            let plan = find_plan(store, plan_name, Among::Database).await?;
            let csv = app::plan_io::export_sheet(store, &plan, kind.sheet(), Utc::now())
                .await?
                .csv;
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
                        p.year_start.month_name().to_string(),
                        count(p.stale_days, "day", "days"),
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
        Command::Holidays {
            command, config, ..
        } => super::holidays::holidays(store, plan_name, config.as_deref(), command, out).await,
        Command::Health {
            backlog_minutes,
            failed_days,
            ..
        } => {
            let limits = app::health::Thresholds {
                backlog_after: chrono::Duration::minutes(backlog_minutes.into()),
                failed_within: chrono::Duration::days(failed_days.into()),
            };
            super::health::report(store, limits, out).await
        }
        Command::Show {
            reference, json, ..
        } => {
            let plan = find_plan(store, plan_name, Among::Database).await?;
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
        Command::Measures(args) => super::measures::list(store, plan_name, args, out).await,
        Command::Measure { command, .. } => {
            super::measures::measure(store, plan_name, command, out).await
        }
        Command::Risks(args) => super::measures::register(store, plan_name, args, out).await,
        Command::Risk { command, .. } => {
            super::measures::risk(store, plan_name, command, out).await
        }
        Command::Digest(args) => digest(store, plan_name, args, out).await,
        Command::History {
            reference, json, ..
        } => {
            let plan = find_plan(store, plan_name, Among::Database).await?;
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
                let actor = Actor::trusted("");
                let person =
                    app::people::link_person(store, &actor, &name, discord_id, None, Utc::now())
                        .await?;
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
        Command::Demo
        | Command::Licences
        | Command::Run { .. }
        | Command::Check { .. }
        | Command::Invite { .. }
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Verify { .. } => unreachable!("handled before the store opens"),
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
    let name = self::plan_name(store, plan_name, Among::Database).await?;
    let request = ImportRequest {
        prune: args.prune,
        dry_run: args.dry_run,
        as_of: args.as_of,
        settings: NewPlanSettings {
            time_zone: args.time_zone,
            year_start: args
                .year_start_month
                .map(crate::plan::YearStart::new)
                .transpose()?,
            stale_days: args.stale_days,
        },
        name_checked: false,
    };
    let done = app::plan_io::import_plan(
        store,
        &Actor::trusted(""),
        &name,
        Source::Path(args.file),
        request,
        Utc::now(),
    )
    .await?;
    print_warnings(&done.warnings, done.more_warnings)?;
    let verb = if args.dry_run { "would" } else { "did" };
    match done.what {
        ImportedKind::Register if done.register.is_empty() => {
            writeln!(
                out,
                "{name}: the file has a header and no rows under it; nothing to import"
            )?;
        }
        ImportedKind::Register => {}
        ImportedKind::Recommendations { read, total } => {
            let read = count(read, "recommendation", "recommendations");
            writeln!(out, "{name}: read {read}; the plan has {total}")?;
        }
        ImportedKind::Plan { read, outcome: o } => {
            let created = if o.plan_created { " (new plan)" } else { "" };
            let (new, changed, same) = (o.created.len(), o.updated.len(), o.unchanged);
            let done = if args.dry_run {
                format!("would create {new}, update {changed} and leave {same} unchanged")
            } else {
                format!("created {new}, updated {changed}, left {same} unchanged")
            };
            writeln!(
                out,
                "{name}{created}: read {}; {done}; {} {}",
                count(read, "action", "actions"),
                count(o.status_changes, "status change", "status changes"),
                if args.dry_run {
                    "would be recorded"
                } else {
                    "recorded"
                }
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
            if args.dry_run && !o.status_changed.is_empty() {
                let changes: Vec<String> = o
                    .status_changed
                    .iter()
                    .map(|c| format!("{}: {} -> {}", c.reference, c.from.label(), c.to.label()))
                    .collect();
                writeln!(out, "would change statuses: {}", capped_list(&changes, 20))?;
            }
            if !o.overrides.is_empty() {
                let tz = store.find_plan(Some(&name)).await?.time_zone;
                let what = if args.dry_run {
                    "would override"
                } else {
                    "overrode"
                };
                let overrides: Vec<String> = o.overrides.iter().map(|x| x.describe(tz)).collect();
                writeln!(
                    out,
                    "{what} updates made since the last import: {}",
                    capped_list(&overrides, 20)
                )?;
            }
        }
    }
    if !done.register.is_empty() {
        writeln!(out, "{name}: read {}", done.register.describe())?;
        for line in done.recorded.describe(&done.register, args.dry_run) {
            writeln!(out, "{line}")?;
        }
        if let Some(day) = args.as_of
            && done.recorded.adds_any()
        {
            let day = day.format("%-d %b %Y");
            writeln!(out, "(values and ratings dated as reported on {day})")?;
        }
    }
    if let Some(settings) = &done.new_plan {
        writeln!(out, "{}", new_plan_settings(settings))?;
    }
    if args.dry_run {
        writeln!(out, "dry run: nothing was changed")?;
    }
    Ok(())
}

/// A plan's settings are fixed once it is made: say what they are then.
fn new_plan_settings(s: &crate::store::PlanSettings) -> String {
    let month = s.year_start.month_name();
    let days = count(s.stale_days, "day", "days");
    format!(
        "the new plan's settings: time zone {}, financial year from {month}, stale after {days} without an update (set with --time-zone, --year-start-month, --stale-days)",
        s.time_zone
    )
}

/// Warnings go to stderr, so that stdout stays the outcome.
fn print_warnings(warnings: &[String], more: usize) -> Result<()> {
    use super::stderr::{Level, line};
    for w in warnings {
        line(Level::Warning, w);
    }
    if more > 0 {
        line(Level::Warning, &format!("and {more} more warnings"));
    }
    Ok(())
}

async fn list(
    store: &Store,
    plan_name: Option<&str>,
    args: ListArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan_name, Among::Database).await?;
    let filter = ActionFilter {
        priority: args.priority,
        status: args.status,
        lead: args.lead,
        overdue: args.overdue,
    };
    let (actions, today) = match args.as_of {
        Some(day) => {
            let as_of = AsOf::end_of_day(day, plan.time_zone);
            app::plans::check_recorded(store, &plan, as_of).await?;
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
        writeln!(out, "{}", count(actions.len(), "action", "actions"))?;
    }
    Ok(())
}

async fn status(
    store: &Store,
    plan_name: Option<&str>,
    args: StatusArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan_name, Among::Database).await?;
    let change = app::status::Change {
        to: args.status,
        note: args.note,
        evidence: args.evidence,
    };
    let actor = Actor::trusted(&args.by);
    let done =
        app::status::update_status(store, &plan, &actor, &args.reference, change, Utc::now())
            .await?;
    super::actor::warn_if_unknown(store, &args.by).await;
    writeln!(
        out,
        "{} {}: {} -> {} (recorded for {} at {})",
        done.after.reference,
        super::output::shorten(&done.after.text, 60),
        done.before.status.label(),
        done.after.status.label(),
        done.written.by,
        done.written
            .at
            .with_timezone(&plan.time_zone)
            .format("%Y-%m-%d %H:%M:%S")
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
    warn_of_short_holidays(&store, &settings).await?;
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

/// Reminders must not go out on a bank holiday: say so at start while
/// there is time to import the next years'.
async fn warn_of_short_holidays(store: &Store, settings: &crate::config::Settings) -> Result<()> {
    for pj in crate::jobs::PlanJobs::load(store, settings).await? {
        let c = app::holidays::coverage(store, &pj.plan, &settings.jobs, Utc::now()).await?;
        if c.short {
            tracing::warn!("{}", app::holidays::shortfall(&c));
        }
    }
    Ok(())
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
    let plan = find_plan(store, plan_name, Among::Database).await?;
    let now = Utc::now();
    let formats = args.format.expand();
    let made = app::digest::make_digest(
        store,
        &Actor::trusted(""),
        &plan,
        args.quarter.as_deref(),
        &formats,
        now,
    )
    .await?;
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (name, bytes) in &made.files {
                let path = dir.join(name);
                std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(out, "wrote {}", path.display())?;
            }
        }
        // One text format goes to standard output: the digest's own file
        // (a register's CSVs need a folder).
        None => match made.files.first() {
            Some((_, bytes)) if formats.len() == 1 && formats != [crate::digest::Format::Png] => {
                out.write_all(bytes)?
            }
            _ => return Err(UsageError(NEEDS_A_FOLDER.into()).into()),
        },
    }
    app::digest::record_digest(store, &plan, &made, now).await?;
    Ok(())
}
