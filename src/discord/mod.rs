//! The Discord adapter: turns slash commands into core calls and results into
//! messages. It holds no SQL and no plan rules of its own.

mod access;
mod answer;
mod buttons;
mod commands;
mod corrections;
mod courier;
mod digest_post;
pub mod doctor;
mod errors;
mod invite;
mod ratelimit;
mod reminders;
mod render;
mod risk_review;
mod stale;
mod supervise;

pub use courier::DiscordCourier;
pub use errors::BotError;
pub use invite::{InviteError, REQUIRED_PERMISSIONS, application_id_from_token, invite_url};
pub use ratelimit::RateLimiter;

use crate::clock::Clock;
use crate::config::Settings;
use crate::runtime::{RestartPolicy, RuntimeError, Supervisor};
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

/// A running bot: the gateway client, the scheduler and the sender under
/// one supervisor. Dropping it does not stop it, `shutdown` does.
pub struct RunningBot {
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    supervisor: Option<tokio::task::JoinHandle<Result<(), RuntimeError>>>,
}

impl RunningBot {
    /// Stops the scheduler and the sender (giving up the lease), closes the
    /// gateway connections and waits for every task to finish.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(supervisor) = self.supervisor.take() {
            let _ = supervisor.await;
        }
    }

    /// Waits until the bot stops by itself, which it does only when it
    /// cannot go on: Discord closed the gateway for good, or a task kept
    /// failing. The error says what to do.
    pub async fn wait(&mut self) -> Result<(), BotError> {
        let Some(supervisor) = self.supervisor.as_mut() else {
            return Ok(());
        };
        let ended = supervisor.await;
        self.supervisor = None;
        match ended {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(BotError::Stopped(e.to_string())),
            Err(e) => Err(BotError::Stopped(format!("the supervisor failed: {e}"))),
        }
    }
}

/// Connects to Discord (or the configured compatible server) and serves commands.
pub async fn start(settings: Settings, store: Store, clock: Clock) -> Result<RunningBot, BotError> {
    // One client for serenity and the outbox: one pool of connections to
    // Discord, and one copy of the TLS roots in memory.
    let rest = rest_client()?;
    let http = http_for(&settings, rest.clone())?;
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
    let client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    let mut supervisor = Supervisor::new(RestartPolicy {
        first_wait: settings
            .jobs
            .test_hooks
            .first_restart
            .unwrap_or(RestartPolicy::default().first_wait),
        ..RestartPolicy::default()
    });
    if settings.jobs.enabled {
        supervise::jobs(
            &mut supervisor,
            &client,
            rest,
            store,
            settings.clone(),
            clock,
        );
    }
    supervise::gateway(&mut supervisor, client);
    let stop = supervisor.stopper();
    Ok(RunningBot {
        stop,
        supervisor: Some(tokio::spawn(supervisor.run())),
    })
}

/// A REST client for Discord, or for the compatible server the settings name.
/// How long a request may take to connect, and in all: Discord answers in
/// well under a second, and uploads are a few hundred kilobytes.
const HTTP_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const HTTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn rest_client() -> Result<reqwest::Client, BotError> {
    // serenity's own client waits for ever: a firewall that drops packets
    // would hang `check`, and a message in flight would hold the outbox.
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(HTTP_CONNECT_TIMEOUT)
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| BotError::Internal(format!("cannot make the HTTP client: {e}")))
}

fn http_for(settings: &Settings, client: reqwest::Client) -> Result<serenity::Http, BotError> {
    let token = settings
        .discord
        .token
        .clone()
        .ok_or_else(|| BotError::Internal("DISCORD_TOKEN is not set".into()))?;
    let mut http = serenity::HttpBuilder::new(token.expose())
        .client(client)
        .default_allowed_mentions(serenity::CreateAllowedMentions::new());
    if !settings.is_discord() {
        // serenity's ratelimiter builds its requests without the proxy: left
        // on, it would send them to discord.com.
        http = http
            .proxy(settings.discord.api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    Ok(http.build())
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
