//! The Discord adapter: turns slash commands into core calls and results into
//! messages. It holds no SQL and no plan rules of its own.

mod access;
mod answer;
mod buttons;
mod commands;
mod courier;
mod digest_post;
mod errors;
mod ratelimit;
mod reminders;
mod render;
mod stale;

pub use courier::DiscordCourier;
pub use errors::BotError;

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use poise::serenity_prelude as serenity;
use std::sync::Arc;

/// What every command can reach.
pub struct Data {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Clock,
}

pub type Error = BotError;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// A running bot; dropping it does not stop it, `shutdown` does.
pub struct RunningBot {
    shard_manager: Arc<serenity::ShardManager>,
    task: tokio::task::JoinHandle<Result<(), serenity::Error>>,
    scheduler: Option<(
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    )>,
}

impl RunningBot {
    /// Stops the scheduler (giving up its lease), closes the gateway
    /// connections and waits for the client to finish.
    pub async fn shutdown(self) {
        if let Some((stop, task)) = self.scheduler {
            let _ = stop.send(true);
            let _ = task.await;
        }
        self.shard_manager.shutdown_all().await;
        let _ = self.task.await;
    }

    /// Waits until the client stops by itself (it should not).
    pub async fn wait(self) -> Result<(), BotError> {
        match self.task.await {
            Ok(result) => result.map_err(BotError::from),
            Err(e) => Err(BotError::Internal(format!("the bot task failed: {e}"))),
        }
    }
}

/// Connects to Discord (or the configured compatible server) and serves commands.
pub async fn start(settings: Settings, store: Store, clock: Clock) -> Result<RunningBot, BotError> {
    let token = settings
        .discord
        .token
        .clone()
        .ok_or_else(|| BotError::Internal("DISCORD_TOKEN is not set".into()))?;
    let mut http = serenity::HttpBuilder::new(token.expose())
        .default_allowed_mentions(serenity::CreateAllowedMentions::new());
    if !settings.is_discord() {
        // serenity's ratelimiter builds its requests without the proxy: left
        // on, it would send them to discord.com.
        http = http
            .proxy(settings.discord.api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let http = http.build();
    check_gateway(&http, &settings).await?;

    let settings = Arc::new(settings);
    let data = Data {
        store: store.clone(),
        settings: settings.clone(),
        clock: clock.clone(),
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(errors::on_error(error)),
            event_handler: |framework, event| {
                Box::pin(async move {
                    buttons::on_event(framework.serenity_context, event, framework.user_data).await;
                    Ok(())
                })
            },
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                if data.settings.discord.register_globally {
                    poise::builtins::register_globally(ctx, commands).await?;
                } else {
                    for guild in &data.settings.guilds {
                        poise::builtins::register_in_guild(
                            ctx,
                            commands,
                            serenity::GuildId::new(guild.id),
                        )
                        .await?;
                    }
                }
                tracing::info!(guilds = data.settings.guilds.len(), "commands registered");
                Ok(data)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    let shard_manager = client.shard_manager.clone();
    let scheduler = settings.jobs.enabled.then(|| {
        let courier = DiscordCourier::new(
            client.http.clone(),
            Some(client.cache.clone()),
            store.clone(),
            settings.clone(),
            clock.clone(),
        );
        let scheduler = crate::jobs::Scheduler {
            store,
            settings: settings.clone(),
            clock,
            courier,
            holder: holder_name(),
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        (stop, tokio::spawn(scheduler.run(stopped)))
    });
    let task = tokio::spawn(async move { client.start().await });
    Ok(RunningBot {
        shard_manager,
        task,
        scheduler,
    })
}

/// Names this process in the scheduler lease: which machine, which process.
fn holder_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "planbot".into());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{host}/pid {}/{started:08x}", std::process::id())
}

/// serenity quietly falls back to Discord's own gateway when it cannot ask
/// the API for one, which against a local server would mean leaving the
/// machine: refuse to start instead, and refuse a gateway on another host.
async fn check_gateway(http: &serenity::Http, settings: &Settings) -> Result<(), BotError> {
    let base = settings.discord.api_base.trim_end_matches('/');
    let gateway = http.get_bot_gateway().await.map_err(|e| {
        BotError::Startup(format!("cannot get the gateway address from {base}: {e}"))
    })?;
    if !settings.is_discord() {
        let host = |url: &str| {
            url.split("://")
                .nth(1)
                .and_then(|r| r.split(['/', ':', '?']).next())
                .map(str::to_string)
        };
        if host(&gateway.url) != host(base) {
            return Err(BotError::Startup(format!(
                "{base} named a gateway on another host ({}); refusing to connect",
                gateway.url
            )));
        }
    }
    Ok(())
}
