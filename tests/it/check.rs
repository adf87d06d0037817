//! `planbot check` and `planbot invite`, the real binary against the test
//! server: what someone setting planbot up reads, and the exit code.

use discord_testserver::{Overwrite, OverwriteTarget, TestServer};
use planbot_testkit::*;
use serenity::all::Permissions;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A token in Discord's shape whose first part is the test server's
/// application id in base64 ("1000000000000000001").
const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAwMQ.GdoCtr.check-test-token-never-printed";

/// The test server with the bot's slash commands registered (the bot ran
/// once and stopped), and a database with the Kirklees plan.
async fn set_up() -> TestApp {
    let mut app = spawn_app().await;
    if let Some(bot) = app.bot.take() {
        bot.shutdown().await;
    }
    // A year of bank holidays ahead, whatever the date the tests run on.
    let ahead = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    let holiday = planbot::schedule::Holiday {
        division: planbot::schedule::Division::EnglandAndWales,
        day: ahead,
        title: "A holiday next year".into(),
    };
    app.store
        .import_holidays(&[holiday], chrono::Utc::now())
        .await
        .unwrap();
    app
}

/// A config for the app's server and database, the planning and board
/// channels set; `extra` adds lines to the `[[guilds]]` table.
fn write_config(dir: &Path, server: &TestServer, extra: &str) -> PathBuf {
    let path = dir.join("planbot.toml");
    let text = format!(
        "[database]\npath = \"{db}\"\n\n[discord]\napi_base = \"{base}\"\n\n[[guilds]]\nid = {GUILD}\nplans = [\"Kirklees\"]\nplan_channel = {CHANNEL}\nboard_channel = {board}\n{extra}\n",
        db = dir.join("bot.db").display(),
        base = server.base_url(),
        board = example::BOARD,
    );
    std::fs::write(&path, text).unwrap();
    path
}

async fn planbot(args: &[&str], config: Option<&Path>, token: &str) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_planbot"));
    command.args(args);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .env("DISCORD_TOKEN", token)
        .env_remove("PLANBOT_DB")
        .env_remove("PLANBOT_CONFIG")
        .env_remove("DISCORD_API_BASE")
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run planbot")
}

/// `planbot check` with the app's config; asserts that it asked Discord
/// for nothing but reads.
async fn check(app: &TestApp, extra: &str) -> (Output, String) {
    let config = write_config(app.dir.path(), &app.server, extra);
    let before = app.server.requests().len();
    let db = app.dir.path().join("bot.db");
    let db_before = std::fs::read(&db).unwrap();
    let out = planbot(&["check"], Some(&config), TOKEN).await;
    assert!(
        std::fs::read(&db).unwrap() == db_before,
        "the check changed the database"
    );
    let asked = &app.server.requests()[before..];
    assert!(!asked.is_empty(), "the check asked the server nothing");
    let writes: Vec<_> = asked.iter().filter(|r| r.method != "GET").collect();
    assert!(writes.is_empty(), "the check changed something: {writes:?}");
    assert!(app.server.unknown_requests().is_empty());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, text)
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_all_is_well_when_it_is() {
    let app = set_up().await;
    let (out, text) = check(&app, "").await;
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    let here = format!("server {GUILD} (Council improvement plans)");
    for line in [
        "ok       Discord accepts the token: the bot is bot (user 1000000000000000001, application 1000000000000000001)".to_string(),
        format!("ok       the bot is in {here}"),
        format!("ok       {here}: #planning (plan_channel): the bot may view it, send messages, embed links and attach files"),
        format!("ok       {here}: #board (board_channel): the bot may view it, send messages, embed links and attach files"),
        format!("ok       {here}: role \"Plan admin\" (admin_role) is {}", example::PLAN_ADMIN),
        format!("ok       {here}: role \"Board secretary\" (secretary_role) is {}", example::BOARD_SECRETARY),
        format!("ok       {here}: the 3 linked leads of plan \"Kirklees\" are members, so reminders can reach them by direct message"),
        "all is well".to_string(),
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in:\n{text}");
    }
    assert!(line_with(&text, "slash commands are registered in").starts_with("ok "));
    assert!(line_with(&text, "schema version").starts_with("ok "));
    assert!(
        line_with(&text, "bank holidays known until").starts_with("ok "),
        "{text}"
    );
    assert!(
        !text.contains("problem") && !text.contains("warning"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_channel_and_a_missing_role_are_named_with_what_to_do() {
    let app = set_up().await;
    let (out, text) = check(&app, "reminder_channel = 999\nsecretary_role = \"Clerk\"").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    let channel = line_with(&text, "reminder_channel 999");
    assert!(channel.starts_with("problem "), "{channel}");
    assert!(
        channel.contains(
            "is not a channel of this server: set reminder_channel to one of its channels"
        ),
        "{channel}"
    );
    let role = line_with(&text, "\"Clerk\"");
    assert!(
        role.starts_with("problem ")
            && role.contains("there is no role \"Clerk\" (secretary_role): create it"),
        "{role}"
    );
    // The role that exists is still reported found.
    assert!(line_with(&text, "\"Plan admin\"").starts_with("ok "));
    assert!(!text.contains("all is well"), "{text}");
    assert!(
        stderr(&out).contains("2 problems found"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_where_an_overwrite_denies_the_bot_is_named_with_the_permissions() {
    let app = set_up().await;
    let server = &app.server;
    // A bot that is no administrator, so that overwrites bind it.
    server.set_bot_permissions(GUILD, Permissions::empty());
    let bot_role = server.bot_role_id(GUILD).unwrap();
    server.set_overwrites(
        example::BOARD,
        vec![Overwrite {
            target: OverwriteTarget::Role(bot_role),
            allow: Permissions::empty(),
            deny: Permissions::SEND_MESSAGES | Permissions::ATTACH_FILES,
        }],
    );
    let (out, text) = check(&app, "").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    let board = line_with(&text, "#board");
    assert!(
        board.starts_with("problem ")
            && board
                .contains("the bot lacks Send Messages, Attach Files in #board (board_channel)")
            && board.contains("Edit Channel > Permissions"),
        "{board}"
    );
    // @everyone's defaults still let it post in #planning.
    assert!(line_with(&text, "#planning").starts_with("ok "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_overwrite_that_hides_the_channel_is_found_too() {
    let app = set_up().await;
    let server = &app.server;
    server.set_bot_permissions(GUILD, Permissions::empty());
    server.set_overwrites(
        CHANNEL,
        vec![Overwrite {
            target: OverwriteTarget::Member(server.bot_user_id()),
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
        }],
    );
    let (out, text) = check(&app, "").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    let planning = line_with(&text, "#planning");
    assert!(
        planning.starts_with("problem ") && planning.contains("lacks View Channel in #planning"),
        "{planning}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_the_bot_is_not_in_says_to_invite_it() {
    let app = set_up().await;
    app.server.remove_bot(GUILD);
    let (out, text) = check(&app, "").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected =
        format!("problem  the bot is not in server {GUILD}: invite it with `planbot invite`");
    assert!(text.lines().any(|l| l == expected), "{text}");
    // Nothing more is said of a server it cannot see.
    assert!(!text.contains("#planning"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_who_are_not_members_are_listed() {
    // The demo's server has Ophelia but neither Steve nor Tom.
    let mut app = spawn_app_with(vec![example::guild()]).await;
    if let Some(bot) = app.bot.take() {
        bot.shutdown().await;
    }
    let (out, text) = check(&app, "").await;
    assert_eq!(out.status.code(), Some(1), "{text}");
    let leads = line_with(&text, "linked leads of plan \"Kirklees\"");
    assert!(leads.starts_with("problem "), "{leads}");
    assert!(
        leads.contains(&format!("Steve Comb ({STEVE})"))
            && leads.contains(&format!("Tom Brailsford ({TOM})")),
        "{leads}"
    );
    assert!(!leads.contains("Ophelia"), "{leads}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_registered_commands_is_a_warning_only() {
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    example_store(&dir.path().join("bot.db"))
        .await
        .close()
        .await;
    let config = write_config(dir.path(), &server, "");
    let out = planbot(&["check"], Some(&config), TOKEN).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    let line = line_with(&text, "slash commands");
    assert!(
        line.starts_with("warning ") && line.ends_with("run `planbot run` once to register them"),
        "{line}"
    );
    assert!(text.ends_with("all is well, with 1 warning\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_one_line_that_never_shows_the_token() {
    let app = set_up().await;
    app.server.require_token("the-token-the-server-knows");
    let config = write_config(app.dir.path(), &app.server, "");
    let out = planbot(&["check"], Some(&config), TOKEN).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: Discord refused the token")
            && err.contains("reset it in the Developer Portal")
            && err.contains("set DISCORD_TOKEN"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let all = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains("check-test-token-never-printed"), "{all}");
    assert!(!all.contains("MTAwMDAwMDAwMDAwMDAwMDAwMQ"), "{all}");
}

#[tokio::test]
async fn invite_prints_the_link_for_the_token_with_the_required_permissions() {
    let out = planbot(&["invite"], None, TOKEN).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let query = url
        .strip_prefix("https://discord.com/oauth2/authorize?")
        .unwrap_or_else(|| panic!("{url}"));
    let param = |key: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {url}"))
            .to_string()
    };
    assert_eq!(
        param("client_id"),
        discord_testserver::APPLICATION_ID.to_string()
    );
    assert_eq!(param("scope"), "bot+applications.commands");
    let permissions: u64 = param("permissions").parse().unwrap();
    assert_eq!(permissions, planbot::discord::REQUIRED_PERMISSIONS.bits());
    let expected = Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES;
    assert_eq!(Permissions::from_bits(permissions), Some(expected));
}

#[tokio::test]
async fn invite_refuses_a_token_that_is_not_a_bot_token() {
    let out = planbot(&["invite"], None, "not-a-bot-token").await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("DISCORD_TOKEN does not look like a bot token"),
        "{err}"
    );
    assert!(!err.contains("not-a-bot-token"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_that_never_answers_or_is_not_there_is_named_with_why_not_waited_on_for_ever() {
    let app = set_up().await;
    // Accepts connections and never answers, as behind a firewall that
    // drops packets; and a port where nothing listens.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            open.push(conn);
        }
    });
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for (base, why) in [(closed, "Connection refused"), (silent_url, "timed out")] {
        let config = write_config(app.dir.path(), &app.server, "");
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replace(&app.server.base_url(), &base);
        std::fs::write(&config, text).unwrap();
        let started = std::time::Instant::now();
        let out = planbot(&["check"], Some(&config), TOKEN).await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(45),
            "{base}"
        );
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("cannot ask {base} who the bot is"))
                && err.contains(why)
                && err.contains("check discord.api_base"),
            "{err}"
        );
        assert!(!err.contains(TOKEN));
    }
    held.abort();
}
