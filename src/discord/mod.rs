//! The Discord adapter: turns slash commands into core calls and results into
//! messages. It holds no SQL and no plan rules of its own.

mod access;
mod commands;
mod errors;
mod render;

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
}

impl RunningBot {
    /// Closes the gateway connections and waits for the client to finish.
    pub async fn shutdown(self) {
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
        store,
        settings: settings.clone(),
        clock,
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(errors::on_error(error)),
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
    let task = tokio::spawn(async move { client.start().await });
    Ok(RunningBot {
        shard_manager,
        task,
    })
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
