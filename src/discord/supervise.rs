//! What the supervisor runs for the bot: the gateway client, which ends
//! the process when Discord closes it for good, and the scheduler and the
//! sender, restarted when they fail.

use super::DiscordCourier;
use crate::clock::Clock;
use crate::config::Settings;
use crate::runtime::Supervisor;
use crate::store::Store;
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Duration;

/// The gateway client: when it ends, the supervisor ends.
pub(super) fn gateway(supervisor: &mut Supervisor, mut client: serenity::Client) {
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
}

/// The scheduler and the sender, each restarted when it fails. They start
/// once the guilds are known, so that the first notice to the admins can
/// mention their role.
pub(super) fn jobs(
    supervisor: &mut Supervisor,
    client: &serenity::Client,
    rest: reqwest::Client,
    store: Store,
    settings: Arc<Settings>,
    clock: Clock,
) {
    let handoff = Arc::new(crate::jobs::Handoff::default());
    let guilds = Arc::new(GuildsKnown::new(client.cache.clone(), &settings));
    let lease = f64::from(settings.jobs.lease_seconds);
    let nap = Duration::from_secs_f64(settings.jobs.poll_seconds);
    let scheduler = Arc::new(crate::app::scheduler::Scheduler {
        store: store.clone(),
        settings: settings.clone(),
        clock: clock.clone(),
        holder: holder_name(),
    });
    let sender = Arc::new(crate::jobs::Sender {
        courier: DiscordCourier::new(
            rest,
            client.http.clone(),
            Some(client.cache.clone()),
            store,
            settings.clone(),
            clock.clone(),
        ),
        settings,
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
