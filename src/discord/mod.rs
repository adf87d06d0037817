//! The Discord adapter: turns slash commands into core calls and results into
//! messages. It holds no SQL and no plan rules of its own.

mod access;
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
pub use ratelimit::RateLimiter;

use crate::clock::Clock;
use crate::config::Settings;
use crate::runtime::{RestartPolicy, RuntimeError, Supervisor};
use crate::store::Store;
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Duration;

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
    let mut supervisor = Supervisor::new(RestartPolicy {
        first_wait: settings
            .jobs
            .test_hooks
            .first_restart
            .unwrap_or(RestartPolicy::default().first_wait),
        ..RestartPolicy::default()
    });
    if settings.jobs.enabled {
        supervise_jobs(&mut supervisor, &client, store, settings.clone(), clock);
    }
    let mut stop = supervisor.stopping();
    supervisor.critical("gateway client", async move {
        let manager = client.shard_manager.clone();
        let start = client.start();
        tokio::pin!(start);
        tokio::select! {
            ended = &mut start => return match ended {
                Ok(()) => Err("the gateway client stopped".into()),
                Err(e) => Err(gateway_failure(&e)),
            },
            _ = crate::runtime::stopped(&mut stop) => {}
        }
        manager.shutdown_all().await;
        let _ = start.await;
        Ok(())
    });
    let stop = supervisor.stopper();
    Ok(RunningBot {
        stop,
        supervisor: Some(tokio::spawn(supervisor.run())),
    })
}

/// The scheduler and the sender, each restarted when it fails. They start
/// once the guilds are known, so that the first notice to the admins can
/// mention their role.
fn supervise_jobs(
    supervisor: &mut Supervisor,
    client: &serenity::Client,
    store: Store,
    settings: Arc<Settings>,
    clock: Clock,
) {
    let handoff = Arc::new(crate::jobs::Handoff::default());
    let guilds = Arc::new(GuildsKnown::new(client.cache.clone(), &settings));
    let lease = f64::from(settings.jobs.lease_seconds);
    let nap = Duration::from_secs_f64(settings.jobs.poll_seconds);
    let scheduler = Arc::new(crate::jobs::Scheduler {
        store: store.clone(),
        settings: settings.clone(),
        clock: clock.clone(),
        holder: holder_name(),
    });
    let sender = Arc::new(crate::jobs::Sender {
        courier: DiscordCourier::new(
            client.http.clone(),
            Some(client.cache.clone()),
            store,
            settings,
            clock.clone(),
        ),
        store: scheduler.store.clone(),
        clock,
        budget: Duration::from_secs_f64(lease / 3.0),
        nap,
    });
    let stopping = supervisor.stopping();
    let (h, g, stop) = (handoff.clone(), guilds.clone(), stopping.clone());
    supervisor.restartable("scheduler", move || {
        let (scheduler, handoff, guilds, stop) =
            (scheduler.clone(), h.clone(), g.clone(), stop.clone());
        Box::pin(async move {
            guilds.wait().await;
            scheduler.run(&handoff, stop).await;
            Ok(())
        })
    });
    supervisor.restartable("outbox sender", move || {
        let (sender, handoff, guilds, stop) = (
            sender.clone(),
            handoff.clone(),
            guilds.clone(),
            stopping.clone(),
        );
        Box::pin(async move {
            guilds.wait().await;
            sender.run(&handoff, stop).await;
            Ok(())
        })
    });
}

/// Whether the configured guilds have reached the cache.
struct GuildsKnown {
    cache: Arc<serenity::Cache>,
    ids: Vec<serenity::GuildId>,
}

impl GuildsKnown {
    /// Discord streams the guilds after READY; one that never comes (the
    /// bot is not in it) holds nothing up for longer than this.
    const PATIENCE: Duration = Duration::from_secs(60);

    fn new(cache: Arc<serenity::Cache>, settings: &Settings) -> GuildsKnown {
        let ids = settings
            .guilds
            .iter()
            .map(|g| serenity::GuildId::new(g.id))
            .collect();
        GuildsKnown { cache, ids }
    }

    fn missing(&self) -> Vec<serenity::GuildId> {
        self.ids
            .iter()
            .filter(|id| self.cache.guild(**id).is_none())
            .copied()
            .collect()
    }

    async fn wait(&self) {
        let deadline = tokio::time::Instant::now() + Self::PATIENCE;
        loop {
            let missing = self.missing();
            if missing.is_empty() {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(
                    ?missing,
                    "Discord has not sent these servers after a minute; the jobs start without them (is the bot a member?)"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One line for a gateway that closed for good: what happened and what to
/// do. serenity 0.12 reports only these closes as final; on 4011 (sharding
/// required) it keeps reconnecting.
fn gateway_failure(e: &serenity::Error) -> String {
    use serenity::GatewayError as G;
    match e {
        serenity::Error::Gateway(G::InvalidAuthentication) => {
            "Discord refused the bot's token (gateway close 4004, authentication failed): \
             reset the token in the Discord Developer Portal (your application, Bot, Reset Token) \
             and set DISCORD_TOKEN to the new one"
                .into()
        }
        serenity::Error::Gateway(G::InvalidGatewayIntents | G::DisallowedGatewayIntents) => {
            "Discord refused the gateway intents planbot asks for (GUILDS; gateway close 4013/4014): \
             check the bot's Privileged Gateway Intents in the Discord Developer Portal"
                .into()
        }
        e => format!("the gateway connection failed: {e}"),
    }
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
