//! The Discord test server, driven through a real serenity client: if
//! serenity cannot read what the server sends, these tests see the silence.

use std::sync::Arc;
use std::time::Duration;

use discord_testserver::{APPLICATION_ID, ResponseKind, TestServer};
use serde_json::json;
use serenity::all::{
    ActionRowComponent, Attachment, ChannelId, ClientBuilder, Command, CommandInteraction,
    CommandOptionType, Context, CreateActionRow, CreateAttachment, CreateAutocompleteResponse,
    CreateButton, CreateCommand, CreateCommandOption, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateModal, EventHandler, GatewayIntents, Guild, GuildId, HttpBuilder, InputTextStyle,
    Interaction, Nonce, Ready, ResumedEvent, ShardManager, UserId,
};
use tokio::sync::mpsc;

/// The guild every test runs in.
mod example {
    use discord_testserver::{GuildSpec, MemberSpec};

    pub const GUILD: u64 = 1_000_000_000_000_000_100;
    pub const GENERAL: u64 = 1_000_000_000_000_000_110;
    pub const NEWS: u64 = 1_000_000_000_000_000_111;
    pub const ADMIN: u64 = 1_000_000_000_000_000_120;
    pub const MODERATOR: u64 = 1_000_000_000_000_000_121;
    /// Admin, and owner of the guild and the application.
    pub const ALICE: u64 = 1_000_000_000_000_000_130;
    /// Moderator.
    pub const BOB: u64 = 1_000_000_000_000_000_131;
    /// No roles.
    pub const CAROL: u64 = 1_000_000_000_000_000_132;
    /// No roles.
    pub const DAVE: u64 = 1_000_000_000_000_000_133;

    /// `#general` and `#news`; alice (Admin), bob (Moderator), carol, dave.
    pub fn guild() -> GuildSpec {
        let member = |user_id, name: &str, roles: Vec<u64>| MemberSpec {
            user_id,
            name: name.to_string(),
            roles,
        };
        GuildSpec {
            guild_id: GUILD,
            name: "Test guild".into(),
            channels: vec![(GENERAL, "general".into()), (NEWS, "news".into())],
            roles: vec![(ADMIN, "Admin".into()), (MODERATOR, "Moderator".into())],
            members: vec![
                member(ALICE, "alice", vec![ADMIN]),
                member(BOB, "bob", vec![MODERATOR]),
                member(CAROL, "carol", vec![]),
                member(DAVE, "dave", vec![]),
            ],
        }
    }
}

/// Long enough for a slow CI machine, short enough that a broken server
/// fails the test instead of hanging it.
const T: Duration = Duration::from_secs(10);

/// The Discord error code of a failed serenity call.
fn discord_code<T>(r: &serenity::Result<T>) -> Option<isize> {
    match r {
        Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) => {
            Some(e.error.code)
        }
        _ => None,
    }
}

fn http_status<T>(r: &serenity::Result<T>) -> Option<u16> {
    match r {
        Err(serenity::Error::Http(e)) => e.status_code().map(|s| s.as_u16()),
        _ => None,
    }
}

/// A small bot: reports what it sees on a channel and answers a handful of
/// commands the way a real bot's handlers do (replies, follow-ups with files,
/// buttons, modals, autocomplete).
struct Handler {
    seen: mpsc::UnboundedSender<String>,
}

impl Handler {
    fn say(&self, line: String) {
        // The test may have finished and dropped the receiver.
        let _ = self.seen.send(line);
    }
}

fn message(content: impl Into<String>) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(CreateInteractionResponseMessage::new().content(content))
}

async fn answer_command(ctx: &Context, cmd: &CommandInteraction) -> serenity::Result<()> {
    let http = &ctx.http;
    match cmd.data.name.as_str() {
        "ping" => {
            let roles = cmd.member.as_ref().map_or(0, |m| m.roles.len());
            cmd.create_response(
                http,
                message(format!("pong {} roles={roles}", cmd.user.name)),
            )
            .await
        }
        "upload" => {
            let Some(file) = cmd.data.resolved.attachments.values().next() else {
                return cmd.create_response(http, message("no file")).await;
            };
            let bytes = file.download().await?;
            cmd.create_response(http, message(format!("got {} bytes", bytes.len())))
                .await?;
            let echo = CreateAttachment::bytes(bytes, format!("echo-{}", file.filename));
            let followup = CreateInteractionResponseFollowup::new()
                .content("echo")
                .add_file(echo);
            cmd.create_followup(http, followup).await.map(|_| ())
        }
        "menu" => {
            let row = CreateActionRow::Buttons(vec![CreateButton::new("go").label("Go")]);
            let reply = CreateInteractionResponseMessage::new()
                .content("pick")
                .components(vec![row]);
            cmd.create_response(http, CreateInteractionResponse::Message(reply))
                .await
        }
        "form" => {
            let input = CreateInputText::new(InputTextStyle::Short, "Title", "title");
            let modal = CreateModal::new("form", "New action")
                .components(vec![CreateActionRow::InputText(input)]);
            cmd.create_response(http, CreateInteractionResponse::Modal(modal))
                .await
        }
        "twice" => {
            cmd.create_response(http, message("first")).await?;
            let second = cmd.create_response(http, message("second")).await;
            let text = format!("second reply: {:?}", discord_code(&second));
            cmd.create_followup(http, CreateInteractionResponseFollowup::new().content(text))
                .await
                .map(|_| ())
        }
        "early" => {
            let early = cmd
                .create_followup(
                    http,
                    CreateInteractionResponseFollowup::new().content("too soon"),
                )
                .await;
            cmd.create_response(
                http,
                message(format!("early follow-up: {:?}", discord_code(&early))),
            )
            .await
        }
        other => {
            cmd.create_response(http, message(format!("unknown command {other}")))
                .await
        }
    }
}

async fn answer(ctx: &Context, interaction: &Interaction) -> serenity::Result<()> {
    let http = &ctx.http;
    match interaction {
        Interaction::Command(cmd) => answer_command(ctx, cmd).await,
        Interaction::Autocomplete(ac) => {
            let typed = ac
                .data
                .autocomplete()
                .map(|o| o.value.to_string())
                .unwrap_or_default();
            let mut choices = CreateAutocompleteResponse::new();
            for name in ["alpha", "beta", "gamma"]
                .into_iter()
                .filter(|n| n.starts_with(&typed))
            {
                choices = choices.add_string_choice(name, name);
            }
            ac.create_response(http, CreateInteractionResponse::Autocomplete(choices))
                .await
        }
        Interaction::Component(c) => {
            let text = format!("pressed {} by {}", c.data.custom_id, c.user.name);
            let update = CreateInteractionResponseMessage::new()
                .content(text)
                .components(vec![]);
            c.create_response(http, CreateInteractionResponse::UpdateMessage(update))
                .await
        }
        Interaction::Modal(m) => {
            let value = m
                .data
                .components
                .iter()
                .flat_map(|row| row.components.iter())
                .find_map(|c| match c {
                    ActionRowComponent::InputText(t) => t.value.clone(),
                    _ => None,
                })
                .unwrap_or_default();
            m.create_response(http, message(format!("{} title={value}", m.data.custom_id)))
                .await
        }
        _ => Ok(()),
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        self.say(format!(
            "ready app={} guilds={}",
            ready.application.id,
            ready.guilds.len()
        ));
    }

    async fn guild_create(&self, _ctx: Context, guild: Guild, _is_new: Option<bool>) {
        self.say(format!(
            "guild_create {} roles={} members={} channels={}",
            guild.id,
            guild.roles.len(),
            guild.members.len(),
            guild.channels.len()
        ));
    }

    async fn cache_ready(&self, ctx: Context, guilds: Vec<GuildId>) {
        for id in guilds {
            let line = match ctx.cache.guild(id) {
                Some(g) => {
                    let mut roles: Vec<&str> = g.roles.values().map(|r| r.name.as_str()).collect();
                    roles.sort_unstable();
                    let mut channels: Vec<&str> =
                        g.channels.values().map(|c| c.name.as_str()).collect();
                    channels.sort_unstable();
                    let alice = g
                        .members
                        .get(&UserId::new(example::ALICE))
                        .map(|m| format!("{}:{:?}", m.user.name, m.roles))
                        .unwrap_or_default();
                    format!(
                        "cache {} owner={} roles={} channels={} members={} alice={alice}",
                        g.name,
                        g.owner_id,
                        roles.join(","),
                        channels.join(","),
                        g.members.len()
                    )
                }
                None => format!("cache missing {id}"),
            };
            self.say(line);
        }
    }

    async fn resume(&self, _ctx: Context, _: ResumedEvent) {
        self.say("resumed".into());
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Err(e) = answer(&ctx, &interaction).await {
            self.say(format!("error {e}"));
        }
    }
}

/// A serenity client connected to a test server, built as a bot
/// pointed at it must be: its Http proxied to the server with the rate limiter off.
struct Bot {
    seen: mpsc::UnboundedReceiver<String>,
    manager: Arc<ShardManager>,
    server: TestServer,
}

impl Bot {
    async fn start(server: &TestServer) -> Bot {
        let http = HttpBuilder::new("test-token")
            .proxy(server.base_url())
            .ratelimiter_disabled(true)
            .build();
        let (tx, seen) = mpsc::unbounded_channel();
        let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .event_handler(Handler { seen: tx })
            .await
            .expect("client builds");
        let manager = Arc::clone(&client.shard_manager);
        tokio::spawn(async move {
            if let Err(e) = client.start().await {
                eprintln!("client stopped: {e}");
            }
        });
        Bot {
            seen,
            manager,
            server: server.clone(),
        }
    }

    /// The next line the handler reports that starts with `prefix`. Fails at
    /// once, with the reason, if the server sent something serenity cannot
    /// parse: serenity itself would just drop it and leave us waiting.
    async fn expect(&mut self, prefix: &str) -> String {
        let server = self.server.clone();
        let wait = async {
            while let Some(line) = self.seen.recv().await {
                if line.starts_with(prefix) {
                    return line;
                }
                assert!(!line.starts_with("error"), "handler failed: {line}");
            }
            panic!("handler channel closed before {prefix:?}");
        };
        let broken = server.wait_until(T, |s| !s.parse_errors().is_empty());
        tokio::select! {
            line = tokio::time::timeout(T, wait) => {
                line.unwrap_or_else(|_| panic!("no {prefix:?} within {T:?}"))
            }
            true = broken => panic!("serenity cannot parse: {:#?}", server.parse_errors()),
        }
    }

    async fn stop(self) {
        // A bounded wait: shutting down is not what these tests test.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.manager.shutdown_all()).await;
    }
}

async fn server() -> TestServer {
    TestServer::start(vec![example::guild()])
        .await
        .expect("server starts")
}

/// Everything went to the test server: the gateway URL was asked of it (so
/// serenity did not fall back to Discord's), no route was missing, and all it
/// sent parsed.
fn assert_all_local(server: &TestServer) {
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path == "/api/v10/gateway"),
        "serenity never asked for the gateway URL"
    );
    assert!(
        requests.iter().any(|r| r.path == "/gateway"),
        "no websocket came"
    );
    assert!(
        server.unknown_requests().is_empty(),
        "{:?}",
        server.unknown_requests()
    );
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
}

#[tokio::test]
async fn a_serenity_client_gets_ready_and_caches_the_whole_guild() {
    let server = server().await;
    // Short, so the test sees heartbeats acknowledged without a reconnect.
    server.set_heartbeat_interval(Duration::from_millis(200));
    let mut bot = Bot::start(&server).await;

    assert!(server.wait_for_ready(T).await);
    assert_eq!(
        bot.expect("ready").await,
        format!("ready app={APPLICATION_ID} guilds=1")
    );
    // 4 members + the bot; @everyone + 2 roles + the bot's role.
    assert_eq!(
        bot.expect("guild_create").await,
        format!(
            "guild_create {} roles=4 members=5 channels=2",
            example::GUILD
        )
    );
    let cache = bot.expect("cache").await;
    assert_eq!(
        cache,
        format!(
            "cache Test guild owner={} roles=@everyone,Admin,Moderator,bot \
             channels=general,news members=5 alice=alice:[RoleId({})]",
            example::ALICE,
            example::ADMIN
        )
    );

    assert!(
        server.wait_until(T, |s| s.heartbeats() >= 2).await,
        "no heartbeats"
    );
    assert_eq!(
        server.identifies(),
        1,
        "a lost heartbeat ack would have made it reconnect"
    );
    let identify = server.last_identify().expect("identify");
    assert_eq!(identify["intents"], json!(GatewayIntents::GUILDS.bits()));

    for frame in server.gateway_dispatches() {
        let event: serenity::model::event::GatewayEvent =
            serde_json::from_value(frame.clone()).expect("dispatch parses");
        let serenity::model::event::GatewayEvent::Dispatch(_, event) = event else {
            panic!("not a dispatch: {frame}");
        };
        assert!(
            !matches!(event, serenity::model::event::Event::Unknown(_)),
            "{frame}"
        );
    }
    assert_all_local(&server);
    bot.stop().await;
}

#[tokio::test]
async fn command_replies_and_a_follow_up_with_a_file_arrive() {
    let server = server().await;
    let mut bot = Bot::start(&server).await;
    bot.expect("cache").await;

    let ping = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::ALICE,
            "ping",
            json!([]),
        )
        .await;
    let rs = server.responses(ping, 1, T).await;
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].kind, ResponseKind::Callback { type_: 4 });
    assert_eq!(rs[0].content(), "pong alice roles=1");

    let csv = b"action,lead\nFix potholes,alice\n".to_vec();
    let file = server.add_file("plan.csv", csv.clone());
    let options = json!([{ "name": "file", "type": 11, "value": file["id"] }]);
    let upload = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::BOB,
            "upload",
            options,
        )
        .await;
    let rs = server.responses(upload, 2, T).await;
    assert_eq!(rs.len(), 2, "{rs:#?}");
    assert_eq!(rs[0].content(), format!("got {} bytes", csv.len()));
    assert_eq!(rs[1].kind, ResponseKind::FollowUp);
    assert_eq!(rs[1].content(), "echo");
    assert_eq!(
        rs[1].files,
        vec![("echo-plan.csv".to_string(), csv.clone())]
    );

    // The follow-up's attachment is served by the server, like Discord's CDN.
    let stored = server
        .message(rs[1].message_id.expect("follow-up id"))
        .expect("stored");
    let attachment: Attachment =
        serde_json::from_value(stored["attachments"][0].clone()).expect("attachment");
    assert_eq!(attachment.filename, "echo-plan.csv");
    assert!(attachment.url.starts_with(&server.base_url()));
    assert_eq!(attachment.download().await.expect("download"), csv);

    let multipart = server
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/api/v10/webhooks/"));
    let multipart = multipart.expect("follow-up request");
    assert_eq!(
        multipart.body.as_ref().and_then(|b| b["content"].as_str()),
        Some("echo")
    );
    assert_eq!(multipart.files.len(), 1);
    assert_all_local(&server);
    bot.stop().await;
}

#[tokio::test]
async fn autocomplete_buttons_and_modals_round_trip() {
    let server = server().await;
    let mut bot = Bot::start(&server).await;
    bot.expect("cache").await;
    let (g, news, general) = (example::GUILD, example::NEWS, example::GENERAL);

    let typed = json!([{ "name": "name", "type": 3, "value": "al", "focused": true }]);
    let ac = server
        .send_autocomplete(g, general, example::BOB, "plan", typed)
        .await;
    let rs = server.responses(ac, 1, T).await;
    assert_eq!(rs[0].kind, ResponseKind::Callback { type_: 8 });
    assert_eq!(
        rs[0].body["data"]["choices"],
        json!([{ "name": "alpha", "value": "alpha" }])
    );

    let menu = server
        .send_command(g, news, example::BOB, "menu", json!([]))
        .await;
    let rs = server.responses(menu, 1, T).await;
    let message_id = rs[0].message_id.expect("reply message");
    let press = server
        .press_button(Some(g), news, example::CAROL, message_id, "go")
        .await;
    let rs = server.responses(press, 1, T).await;
    assert_eq!(rs[0].kind, ResponseKind::Callback { type_: 7 });
    let updated = server.message(message_id).expect("message");
    assert_eq!(updated["content"], "pressed go by carol");
    assert_eq!(updated["components"], json!([]));

    let form = server
        .send_command(g, general, example::ALICE, "form", json!([]))
        .await;
    let rs = server.responses(form, 1, T).await;
    assert_eq!(rs[0].kind, ResponseKind::Callback { type_: 9 });
    assert_eq!(rs[0].data()["custom_id"], "form");
    let submit = server
        .submit_modal(
            Some(g),
            general,
            example::ALICE,
            "form",
            &[("title", "Fix potholes")],
        )
        .await;
    let rs = server.responses(submit, 1, T).await;
    assert_eq!(rs[0].content(), "form title=Fix potholes");
    assert_all_local(&server);
    bot.stop().await;
}

#[tokio::test]
async fn discord_rules_on_acknowledging_reach_the_bot() {
    let server = server().await;
    let mut bot = Bot::start(&server).await;
    bot.expect("cache").await;

    let twice = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::ALICE,
            "twice",
            json!([]),
        )
        .await;
    let rs = server.responses(twice, 2, T).await;
    assert_eq!(rs[0].content(), "first");
    assert_eq!(
        rs[1].content(),
        "second reply: Some(40060)",
        "already acknowledged"
    );

    let early = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::ALICE,
            "early",
            json!([]),
        )
        .await;
    let rs = server.responses(early, 1, T).await;
    assert_eq!(
        rs[0].content(),
        "early follow-up: Some(10015)",
        "unknown webhook before the reply"
    );
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
    bot.stop().await;
}

#[tokio::test]
async fn after_the_gateway_drops_the_client_resumes_and_misses_nothing() {
    let server = server().await;
    let mut bot = Bot::start(&server).await;
    bot.expect("cache").await;
    let before = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::ALICE,
            "ping",
            json!([]),
        )
        .await;
    assert_eq!(server.responses(before, 1, T).await.len(), 1);

    server.close_gateway().await;
    // Sent while no connection is live: it must be replayed on RESUME.
    let during = server
        .send_command(
            example::GUILD,
            example::GENERAL,
            example::BOB,
            "ping",
            json!([]),
        )
        .await;
    bot.expect("resumed").await;
    assert_eq!(server.resumes(), 1);
    assert_eq!(server.identifies(), 1);
    assert_eq!(
        server.replayed(),
        1,
        "the command sent during the outage came by replay"
    );
    assert_eq!(
        server.responses(during, 1, T).await[0].content(),
        "pong bob roles=1"
    );

    let after = server
        .send_command(
            example::GUILD,
            example::NEWS,
            example::CAROL,
            "ping",
            json!([]),
        )
        .await;
    assert_eq!(
        server.responses(after, 1, T).await[0].content(),
        "pong carol roles=0"
    );
    assert_all_local(&server);
    bot.stop().await;
}

#[tokio::test]
async fn a_dm_to_a_user_with_closed_dms_fails_with_50007() {
    let server = server().await;
    let http = server.http();

    let carol = UserId::new(example::CAROL)
        .create_dm_channel(&http)
        .await
        .expect("dm channel");
    assert_eq!(server.dm_channel_of(example::CAROL), Some(carol.id.get()));
    let again = UserId::new(example::CAROL)
        .create_dm_channel(&http)
        .await
        .expect("dm channel");
    assert_eq!(again.id, carol.id, "one DM channel per user");
    carol
        .id
        .say(&http, "Your action is due")
        .await
        .expect("dm sent");
    assert_eq!(
        server.dm_messages(example::CAROL)[0]["content"],
        "Your action is due"
    );
    let report = CreateMessage::new()
        .content("Your report")
        .add_file(CreateAttachment::bytes(b"Q3: green".to_vec(), "q3.txt"));
    let sent = carol
        .id
        .send_message(&http, report)
        .await
        .expect("dm with a file");
    assert_eq!(
        (
            sent.attachments[0].filename.as_str(),
            sent.attachments[0].size
        ),
        ("q3.txt", 9)
    );
    assert_eq!(
        sent.attachments[0].download().await.expect("download"),
        b"Q3: green"
    );
    let upload = server
        .requests()
        .into_iter()
        .rfind(|r| !r.files.is_empty())
        .expect("multipart");
    assert_eq!(
        upload.body.as_ref().map(|b| &b["content"]),
        Some(&json!("Your report"))
    );

    server.fail_dms_to(example::DAVE);
    let dave = UserId::new(example::DAVE)
        .create_dm_channel(&http)
        .await
        .expect("opening still works");
    let sent = dave.id.say(&http, "Your action is due").await;
    assert_eq!(http_status(&sent), Some(403));
    assert_eq!(discord_code(&sent), Some(50007));
    assert!(server.dm_messages(example::DAVE).is_empty());
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
}

#[tokio::test]
async fn injected_429_and_500_surface_as_errors_without_retries() {
    let server = server().await;
    let http = server.http();
    let news = ChannelId::new(example::NEWS);

    server.inject_status("/channels/", 429, 1, 2.5);
    let limited = news.say(&http, "x").await;
    assert_eq!(http_status(&limited), Some(429));
    match &limited {
        Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) => {
            assert_eq!(e.error.message, "You are being rate limited.");
        }
        other => panic!("expected a 429 error, got {other:?}"),
    }

    server.inject_status(
        &format!("/api/v10/channels/{}/messages", example::NEWS),
        500,
        2,
        0.0,
    );
    assert_eq!(http_status(&news.say(&http, "x").await), Some(500));
    assert_eq!(http_status(&news.say(&http, "x").await), Some(500));
    news.say(&http, "third time")
        .await
        .expect("faults are used up");

    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![429, 500, 500, 200],
        "one request each: serenity did not retry"
    );
    assert_eq!(server.channel_messages(example::NEWS).len(), 1);
}

#[tokio::test]
async fn an_enforced_nonce_posts_a_message_once() {
    let server = server().await;
    let http = server.http();
    let news = ChannelId::new(example::NEWS);
    let reminder = || {
        CreateMessage::new()
            .content("Q3 update due Friday")
            .nonce(Nonce::String("reminder-42".into()))
            .enforce_nonce(true)
    };

    let first = news.send_message(&http, reminder()).await.expect("first");
    let second = news.send_message(&http, reminder()).await.expect("second");
    assert_eq!(first.id, second.id);
    assert_eq!(server.channel_messages(example::NEWS).len(), 1);

    let unenforced = CreateMessage::new()
        .content("again")
        .nonce(Nonce::String("reminder-42".into()));
    news.send_message(&http, unenforced)
        .await
        .expect("unenforced");
    assert_eq!(server.channel_messages(example::NEWS).len(), 2);
}

#[tokio::test]
async fn commands_register_keep_their_ids_and_bad_names_are_refused() {
    let server = server().await;
    let http = server.http();
    let plan = || {
        CreateCommand::new("plan")
            .description("Improvement plans")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "name", "Plan name")
                    .required(true)
                    .set_autocomplete(true),
            )
    };

    let global = Command::set_global_commands(&http, vec![plan()])
        .await
        .expect("registered");
    let listed = server.wait_for_commands(None, T).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "plan");
    assert_eq!(listed[0]["id"], json!(global[0].id.to_string()));
    let again = Command::set_global_commands(&http, vec![plan()])
        .await
        .expect("re-registered");
    assert_eq!(
        again[0].id, global[0].id,
        "overwriting keeps a command's id"
    );

    let guild = GuildId::new(example::GUILD);
    guild
        .set_commands(
            &http,
            vec![CreateCommand::new("board").description("Board papers")],
        )
        .await
        .expect("guild");
    assert_eq!(
        server.wait_for_commands(Some(example::GUILD), T).await[0]["name"],
        "board"
    );

    let bad =
        Command::set_global_commands(&http, vec![CreateCommand::new("Bad Name").description("x")])
            .await;
    assert_eq!(discord_code(&bad), Some(50035));
    let no_description =
        Command::set_global_commands(&http, vec![CreateCommand::new("plan")]).await;
    assert_eq!(discord_code(&no_description), Some(50035));
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
}

#[tokio::test]
async fn rest_answers_parse_as_serenity_models_and_unknown_routes_are_recorded() {
    let server = server().await;
    let http = server.http();
    let guild = GuildId::new(example::GUILD);

    assert_eq!(
        http.get_current_user().await.expect("user").id.get(),
        server.bot_user_id()
    );
    let app = http
        .get_current_application_info()
        .await
        .expect("application");
    assert_eq!(app.owner.map(|o| o.id.get()), Some(example::ALICE));
    assert_eq!(
        guild.to_partial_guild(&http).await.expect("guild").name,
        "Test guild"
    );
    assert_eq!(guild.roles(&http).await.expect("roles").len(), 4);
    let bob = guild
        .member(&http, UserId::new(example::BOB))
        .await
        .expect("member");
    assert_eq!(
        bob.roles.iter().map(|r| r.get()).collect::<Vec<_>>(),
        vec![example::MODERATOR]
    );
    let missing = guild.member(&http, UserId::new(42)).await;
    assert_eq!(discord_code(&missing), Some(10007));
    let channel = ChannelId::new(example::GENERAL)
        .to_channel(&http)
        .await
        .expect("channel");
    assert_eq!(channel.guild().map(|c| c.name), Some("general".to_string()));
    assert!(
        http.get_gateway()
            .await
            .expect("gateway")
            .url
            .starts_with("ws://127.0.0.1:")
    );
    assert_eq!(http.get_bot_gateway().await.expect("bot gateway").shards, 1);

    let empty = ChannelId::new(example::GENERAL)
        .send_message(&http, CreateMessage::new())
        .await;
    assert_eq!(discord_code(&empty), Some(50006));
    // serenity's builder refuses long content itself; the raw call shows the
    // server refuses it too, for code that builds its own JSON.
    let long = http
        .send_message(
            ChannelId::new(example::GENERAL),
            vec![],
            &json!({ "content": "x".repeat(2001) }),
        )
        .await;
    assert_eq!(discord_code(&long), Some(50035));

    assert!(server.unknown_requests().is_empty());
    let bans = guild.bans(&http, None, None).await;
    assert_eq!(http_status(&bans), Some(404));
    let unknown = server.unknown_requests();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        unknown[0].path,
        format!("/api/v10/guilds/{}/bans", example::GUILD)
    );
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
}

/// A typical poise bot: a framework that registers its commands in
/// setup, with subcommands, autocomplete, resolved options and deferring.
mod poise_bot {
    use serenity::all::{Attachment, CreateAutocompleteResponse, User};

    pub type Error = Box<dyn std::error::Error + Send + Sync>;
    type Ctx<'a> = poise::Context<'a, (), Error>;

    async fn complete_plan(_ctx: Ctx<'_>, partial: &str) -> CreateAutocompleteResponse {
        let choices = ["alpha", "beta", "gamma"]
            .into_iter()
            .filter(|n| n.starts_with(partial))
            .map(serenity::all::AutocompleteChoice::from)
            .collect();
        CreateAutocompleteResponse::new().set_choices(choices)
    }

    /// Improvement plans
    #[poise::command(slash_command, subcommands("show", "assign"))]
    pub async fn plan(_ctx: Ctx<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Show a plan
    #[poise::command(slash_command)]
    async fn show(
        ctx: Ctx<'_>,
        #[description = "Plan name"]
        #[autocomplete = "complete_plan"]
        name: String,
    ) -> Result<(), Error> {
        ctx.defer_ephemeral().await?;
        ctx.say(format!("plan {name}")).await?;
        ctx.say("second line").await?;
        Ok(())
    }

    /// Assign an action's lead
    #[poise::command(slash_command)]
    async fn assign(
        ctx: Ctx<'_>,
        #[description = "Who leads"] lead: User,
        #[description = "The plan file"] file: Attachment,
    ) -> Result<(), Error> {
        ctx.say(format!("{} leads, {} bytes", lead.name, file.size))
            .await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_poise_framework_registers_its_commands_and_answers_them() {
    let server = server().await;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![poise_bot::plan()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                let guild = GuildId::new(example::GUILD);
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild)
                    .await?;
                Ok::<(), poise_bot::Error>(())
            })
        })
        .build();
    let http = HttpBuilder::new("test-token")
        .proxy(server.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .expect("client builds");
    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move {
        if let Err(e) = client.start().await {
            eprintln!("client stopped: {e}");
        }
    });

    let commands = server.wait_for_commands(Some(example::GUILD), T).await;
    assert_eq!(commands.len(), 1, "{commands:#?}");
    assert_eq!(commands[0]["options"][0]["name"], "show");
    let (g, general) = (example::GUILD, example::GENERAL);

    let typed = json!([{ "name": "show", "type": 1, "options": [
        { "name": "name", "type": 3, "value": "be", "focused": true }
    ]}]);
    let ac = server
        .send_autocomplete(g, general, example::BOB, "plan", typed)
        .await;
    let rs = server.responses(ac, 1, T).await;
    assert_eq!(
        rs.first().map(|r| &r.body["data"]["choices"]),
        Some(&json!([{ "name": "beta", "value": "beta" }]))
    );

    let show = json!([{ "name": "show", "type": 1, "options": [{ "name": "name", "type": 3, "value": "beta" }] }]);
    let id = server
        .send_command(g, general, example::BOB, "plan", show)
        .await;
    let rs = server.responses(id, 3, T).await;
    let kinds: Vec<&ResponseKind> = rs.iter().map(|r| &r.kind).collect();
    assert_eq!(rs.len(), 3, "{rs:#?}");
    assert_eq!(kinds[0], &ResponseKind::Callback { type_: 5 });
    assert!(rs[0].is_ephemeral());
    assert_eq!(rs[1].content(), "plan beta", "{kinds:?}");
    assert_eq!(rs[2].content(), "second line", "{kinds:?}");
    // The first follow-up replaced the "thinking..." message and stayed
    // ephemeral; the second is a message of its own.
    assert_eq!(rs[1].message_id, rs[0].message_id);
    let replaced = server
        .message(rs[0].message_id.expect("original"))
        .expect("stored");
    assert_eq!(
        (replaced["content"].as_str(), replaced["flags"].as_u64()),
        (Some("plan beta"), Some(64))
    );
    assert_ne!(rs[2].message_id, rs[0].message_id);

    let file = server.add_file("plan.csv", b"a,b\n1,2\n".to_vec());
    let assign = json!([{ "name": "assign", "type": 1, "options": [
        { "name": "lead", "type": 6, "value": example::CAROL },
        { "name": "file", "type": 11, "value": file["id"] }
    ]}]);
    let id = server
        .send_command(g, general, example::ALICE, "plan", assign)
        .await;
    assert_eq!(
        server.responses(id, 1, T).await[0].content(),
        "carol leads, 8 bytes"
    );

    let asked_owner = server
        .requests()
        .iter()
        .any(|r| r.path == "/api/v10/oauth2/applications/@me");
    assert!(asked_owner, "poise looks up the application's owners");
    assert_all_local(&server);
    let _ = tokio::time::timeout(Duration::from_secs(2), manager.shutdown_all()).await;
}

fn post_message(
    client: &reqwest::Client,
    server: &TestServer,
    channel: u64,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    client
        .post(format!(
            "{}/api/v10/channels/{channel}/messages",
            server.base_url()
        ))
        .header("Authorization", "Bot test-token")
        .header("Content-Type", "application/json")
        .body(json!({ "content": "hello" }).to_string())
        .send()
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforced_limits_refuse_the_sixth_message_to_a_channel_in_five_seconds() {
    let server = server().await;
    server.enforce_rate_limits(discord_testserver::RateLimitRules::default());
    let client = reqwest::Client::new();
    let mut bucket = String::new();
    for i in 0..5 {
        let r = post_message(&client, &server, example::GENERAL)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "x-ratelimit-limit"), "5");
        assert_eq!(header(&r, "x-ratelimit-remaining"), (4 - i).to_string());
        let after: f64 = header(&r, "x-ratelimit-reset-after").parse().unwrap();
        assert!(after > 0.0 && after <= 5.0, "{after}");
        bucket = header(&r, "x-ratelimit-bucket");
    }
    let r = post_message(&client, &server, example::GENERAL)
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(header(&r, "x-ratelimit-scope"), "user");
    assert_eq!(
        header(&r, "x-ratelimit-bucket"),
        bucket,
        "the same bucket id"
    );
    assert_eq!(header(&r, "retry-after"), "5");
    let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(body["global"], false);
    assert!(body["retry_after"].as_f64().unwrap() > 4.0, "{body}");
    assert_eq!(
        server.channel_messages(example::GENERAL).len(),
        5,
        "a refusal creates nothing"
    );

    let other = post_message(&client, &server, example::NEWS).await.unwrap();
    assert_eq!(other.status(), 200, "another channel is another bucket");
    assert_eq!(
        header(&other, "x-ratelimit-bucket"),
        bucket,
        "same route, same bucket id"
    );
    let hits = server.rate_limited();
    assert_eq!(hits.len(), 1);
    assert!(!hits[0].global);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforced_limits_refuse_the_51st_request_in_a_second_but_not_interaction_callbacks() {
    let server = server().await;
    server.enforce_rate_limits(discord_testserver::RateLimitRules::default());
    let client = reqwest::Client::new();
    let get = |i: u64| {
        client
            .get(format!(
                "{}/api/v10/channels/{}",
                server.base_url(),
                9000 + i
            ))
            .header("Authorization", "Bot test-token")
            .send()
    };
    let started = std::time::Instant::now();
    for i in 0..50 {
        assert_ne!(get(i).await.unwrap().status(), 429, "request {i}");
    }
    let r = get(50).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the test needs a fast machine"
    );
    assert_eq!(r.status(), 429);
    assert_eq!(header(&r, "x-ratelimit-global"), "true");
    assert_eq!(header(&r, "x-ratelimit-scope"), "global");
    let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(body["global"], true);
    assert!(body["retry_after"].as_f64().unwrap() <= 1.0, "{body}");
    let callback = client
        .post(format!(
            "{}/api/v10/interactions/1/token/callback",
            server.base_url()
        ))
        .header("Content-Type", "application/json")
        .body(json!({ "type": 4, "data": { "content": "hi" } }).to_string())
        .send()
        .await
        .unwrap();
    assert_ne!(
        callback.status(),
        429,
        "interaction callbacks are not globally limited"
    );
    assert_eq!(server.rate_limited().iter().filter(|h| h.global).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_answer_leaves_the_message_created_and_the_client_waiting() {
    let server = server().await;
    server.hold_responses("/channels/");
    let client = reqwest::Client::new();
    let request = {
        let (client, server) = (client.clone(), server.clone());
        tokio::spawn(async move { post_message(&client, &server, example::GENERAL).await })
    };
    assert!(server.wait_for_held(1, Duration::from_secs(5)).await);
    assert_eq!(
        server.channel_messages(example::GENERAL).len(),
        1,
        "Discord acted"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!request.is_finished(), "but the client has heard nothing");
    server.release_held();
    let answer = request.await.unwrap().unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(server.held(), 0);
}

/// A bot that is no administrator: what its roles and the channel's
/// overwrites allow is what serenity computes from the server's answers.
#[tokio::test]
async fn role_permissions_and_overwrites_decide_what_the_bot_may_do() {
    use discord_testserver::{Overwrite, OverwriteTarget};
    use serenity::all::Permissions;
    let server = server().await;
    let bot_role = server.bot_role_id(example::GUILD).expect("the bot's role");
    server.set_bot_permissions(example::GUILD, Permissions::empty());
    server.set_role_permissions(
        example::GUILD,
        example::GUILD,
        Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
    );
    server.set_role_permissions(
        example::GUILD,
        example::MODERATOR,
        Permissions::KICK_MEMBERS,
    );
    server.set_overwrites(
        example::NEWS,
        vec![
            Overwrite {
                target: OverwriteTarget::Role(bot_role),
                allow: Permissions::ATTACH_FILES,
                deny: Permissions::empty(),
            },
            Overwrite {
                target: OverwriteTarget::Member(server.bot_user_id()),
                allow: Permissions::empty(),
                deny: Permissions::SEND_MESSAGES,
            },
        ],
    );
    let http = server.http();
    let guild = http.get_guild(GuildId::new(example::GUILD)).await.unwrap();
    let moderator = &guild.roles[&serenity::all::RoleId::new(example::MODERATOR)];
    assert_eq!(moderator.permissions, Permissions::KICK_MEMBERS);
    let bot = http
        .get_member(
            GuildId::new(example::GUILD),
            UserId::new(server.bot_user_id()),
        )
        .await
        .unwrap();
    let channels = http
        .get_channels(GuildId::new(example::GUILD))
        .await
        .unwrap();
    let in_channel = |id: u64| {
        let channel = channels.iter().find(|c| c.id.get() == id).unwrap();
        guild.user_permissions_in(channel, &bot)
    };
    assert_eq!(
        in_channel(example::GENERAL),
        Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES
    );
    assert_eq!(
        in_channel(example::NEWS),
        Permissions::VIEW_CHANNEL | Permissions::ATTACH_FILES
    );
    let one = http
        .get_channel(ChannelId::new(example::NEWS))
        .await
        .unwrap();
    let one = one.guild().expect("a guild channel");
    assert_eq!(one.permission_overwrites.len(), 2);
    assert!(
        server.parse_errors().is_empty(),
        "{:#?}",
        server.parse_errors()
    );
}

#[tokio::test]
async fn a_bot_taken_out_of_a_guild_gets_missing_access_there() {
    let server = server().await;
    server.remove_bot(example::GUILD);
    let http = server.http();
    let guild = GuildId::new(example::GUILD);
    let fetched = http.get_guild(guild).await;
    assert_eq!(http_status(&fetched), Some(403));
    assert_eq!(discord_code(&fetched), Some(50001));
    let channel = http.get_channel(ChannelId::new(example::GENERAL)).await;
    assert_eq!(discord_code(&channel), Some(50001));
    let member = http.get_member(guild, UserId::new(example::ALICE)).await;
    assert_eq!(discord_code(&member), Some(50001));
    let commands = http.get_guild_commands(guild).await;
    assert_eq!(discord_code(&commands), Some(50001));
    // A guild that does not exist stays "Unknown Guild".
    let unknown = http.get_guild(GuildId::new(42)).await;
    assert_eq!(discord_code(&unknown), Some(10004));
}

#[tokio::test]
async fn a_required_token_turns_any_other_away_with_401() {
    let server = server().await;
    server.require_token("the-right-token");
    let with = |token: &str| {
        HttpBuilder::new(token)
            .proxy(server.base_url())
            .ratelimiter_disabled(true)
            .build()
    };
    let wrong = with("a-wrong-token").get_current_user().await;
    assert_eq!(http_status(&wrong), Some(401));
    let right = with("the-right-token").get_current_user().await.unwrap();
    assert_eq!(right.id.get(), server.bot_user_id());
    // The gateway URL needs no token, as on Discord.
    assert!(with("a-wrong-token").get_gateway().await.is_ok());
}
