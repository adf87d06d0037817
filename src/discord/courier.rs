//! Delivers the outbox to Discord: direct messages to leads (the plan's
//! reminder channel when that fails), posts in the plan and board channels.
//! Each message carries a nonce Discord enforces, so one delivered again
//! after a crash between sending and recording still shows up once.

use super::ratelimit::RateLimiter;
use super::reminders;
use crate::config::Settings;
use crate::jobs::{Courier, Delivered, DeliveryError, Notice};
use crate::store::{OutboxItem, Store};
use poise::serenity_prelude as serenity;
use serde_json::{Value, json};
use serenity::http::{LightMethod, Request, Route};
use std::sync::Arc;
use std::time::Duration;

/// The longest 429 wait served in place; longer ones go back to the outbox.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(30);

pub struct DiscordCourier {
    client: reqwest::Client,
    token: String,
    /// The API base when it is not discord.com.
    proxy: Option<String>,
    limits: RateLimiter,
    http: Arc<serenity::Http>,
    cache: Option<Arc<serenity::Cache>>,
    store: Store,
    settings: Arc<Settings>,
    clock: crate::clock::Clock,
}

/// Why a single request failed.
#[derive(Debug)]
enum CallError {
    Refused {
        status: u16,
        code: i64,
        message: String,
    },
    Delivery(DeliveryError),
}

impl From<CallError> for DeliveryError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Delivery(d) => d,
            CallError::Refused {
                status,
                code,
                message,
            } if status >= 500 => {
                DeliveryError::Transient(format!("Discord answered {status} ({code}): {message}"))
            }
            CallError::Refused {
                status,
                code,
                message,
            } => DeliveryError::Permanent(format!(
                "Discord refused it: {status} ({code}): {message}"
            )),
        }
    }
}

impl DiscordCourier {
    pub fn new(
        client: reqwest::Client,
        http: Arc<serenity::Http>,
        cache: Option<Arc<serenity::Cache>>,
        store: Store,
        settings: Arc<Settings>,
        clock: crate::clock::Clock,
    ) -> DiscordCourier {
        let token = settings
            .discord
            .token
            .as_ref()
            .map(|t| t.expose().to_string())
            .unwrap_or_default();
        let token = if token.starts_with("Bot ") {
            token
        } else {
            format!("Bot {token}")
        };
        DiscordCourier {
            client,
            token,
            proxy: (!settings.is_discord())
                .then(|| settings.discord.api_base.trim_end_matches('/').to_string()),
            limits: RateLimiter::new(50),
            http,
            cache,
            store,
            settings,
            clock,
        }
    }

    /// One JSON request through the rate limiter; waits out short 429s.
    async fn call(&self, bucket: &str, route: Route<'_>, body: &Value) -> Result<Value, CallError> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        loop {
            self.limits.acquire(bucket).await;
            tracing::debug!(bucket, "sending");
            let request = Request::new(route, LightMethod::Post)
                .body(Some(bytes.clone()))
                .build(&self.client, &self.token, self.proxy.as_deref())
                .map_err(|e| CallError::Delivery(DeliveryError::Permanent(e.to_string())))?;
            let response = request.send().await.map_err(|e| {
                CallError::Delivery(DeliveryError::Transient(format!(
                    "cannot reach Discord: {e}"
                )))
            })?;
            let status = response.status().as_u16();
            self.limits.update(bucket, response.headers()).await;
            let header_wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok());
            let bytes = response.bytes().await.unwrap_or_default();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if (200..300).contains(&status) {
                return Ok(body);
            }
            if status == 429 {
                let secs = body["retry_after"].as_f64().or(header_wait).unwrap_or(1.0);
                let wait = Duration::from_secs_f64(secs.clamp(0.0, 86_400.0));
                let global = body["global"].as_bool().unwrap_or(false);
                tracing::info!(bucket, ?wait, global, "Discord rate limit hit");
                self.limits.refused(bucket, global, wait).await;
                if wait > MAX_INLINE_WAIT {
                    return Err(CallError::Delivery(DeliveryError::RateLimited(wait)));
                }
                continue;
            }
            return Err(CallError::Refused {
                status,
                code: body["code"].as_i64().unwrap_or(0),
                message: body["message"].as_str().unwrap_or("").to_string(),
            });
        }
    }

    async fn post(&self, channel: u64, message: &Value) -> Result<u64, CallError> {
        let channel_id = serenity::ChannelId::new(channel);
        let answer = self
            .call(
                &format!("messages/{channel}"),
                Route::ChannelMessages { channel_id },
                message,
            )
            .await?;
        Ok(message_id(&answer))
    }

    async fn dm_channel(&self, item: &OutboxItem, user: u64) -> Result<u64, CallError> {
        let lead = item.lead.as_ref().expect("a direct message has a lead");
        if let Some(c) = lead.dm_channel_id {
            return Ok(c);
        }
        let answer = self
            .call(
                "dm-open",
                Route::UserMeDmChannels,
                &json!({ "recipient_id": user.to_string() }),
            )
            .await?;
        let channel = message_id(&answer);
        if let Err(e) = self.store.set_dm_channel(lead.person_id, channel).await {
            tracing::warn!("could not remember a DM channel: {e}");
        }
        Ok(channel)
    }

    fn admin_role(&self, plan: &str) -> Option<u64> {
        let guild = self.settings.guild_of_plan(plan)?;
        let cache = self.cache.as_ref()?;
        let g = cache.guild(serenity::GuildId::new(guild.id))?;
        g.roles
            .values()
            .find(|r| r.name.eq_ignore_ascii_case(&guild.admin_role))
            .map(|r| r.id.get())
    }

    /// Posts the message for a lead in the channel instead of their DMs.
    async fn to_channel_instead(
        &self,
        item: &OutboxItem,
        why: &str,
        user: Option<u64>,
    ) -> Result<Delivered, DeliveryError> {
        let lead = item.lead.as_ref().expect("a direct message has a lead");
        let Some(channel) = item.channel_id else {
            return Err(DeliveryError::Permanent(format!(
                "{} cannot get a direct message ({why}) and no reminder_channel is set",
                lead.name
            )));
        };
        let message = self.render(item, Some((&lead.name, user, why)), "c");
        let id = self.post(channel, &message).await?;
        Ok(Delivered {
            message_id: id,
            delivered_as: why.to_string(),
        })
    }

    fn render(
        &self,
        item: &OutboxItem,
        instead: Option<(&str, Option<u64>, &str)>,
        tag: &str,
    ) -> Value {
        let plan = plan_name(&item.notice);
        let options = reminders::RenderOptions {
            plan_id: item.plan_id,
            snooze_days: self.settings.jobs.snooze_days,
            admin_role: self.admin_role(plan),
            instead,
        };
        let message = reminders::render(&item.notice, &options)
            .nonce(nonce(&item.key, tag))
            .enforce_nonce(true);
        serde_json::to_value(&message).unwrap_or(Value::Null)
    }

    async fn post_digest(
        &self,
        item: &OutboxItem,
        channel: u64,
    ) -> Result<Delivered, DeliveryError> {
        let Notice::Digest { quarter, .. } = &item.notice else {
            unreachable!("only digests come here");
        };
        let post = super::digest_post::build(&self.store, item.plan_id, quarter, self.clock.now())
            .await
            .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
        let message = post.message.nonce(nonce(&item.key, "")).enforce_nonce(true);
        self.limits.acquire(&format!("messages/{channel}")).await;
        match serenity::ChannelId::new(channel)
            .send_message(&*self.http, message)
            .await
        {
            Ok(m) => {
                // Recorded once posted: the next digest of the quarter says what changed since.
                let now = self.clock.now();
                if let Err(e) =
                    crate::digest::record(&self.store, &post.plan, &post.digest, now).await
                {
                    tracing::warn!("could not record the posted digest: {e}");
                }
                Ok(Delivered {
                    message_id: m.id.get(),
                    delivered_as: "channel".into(),
                })
            }
            Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r))) => {
                let status = r.status_code.as_u16();
                Err(match status {
                    // serenity keeps no Retry-After from a refusal: wait a while.
                    429 => DeliveryError::RateLimited(Duration::from_secs(5)),
                    500.. => DeliveryError::Transient(format!("Discord answered {status}")),
                    _ => DeliveryError::Permanent(format!(
                        "Discord refused it: {status} ({}): {}",
                        r.error.code, r.error.message
                    )),
                })
            }
            Err(e) => Err(DeliveryError::Transient(e.to_string())),
        }
    }
}

/// The same message gets the same nonce, whichever process sends it: FNV-1a
/// of its outbox key (Discord allows 25 characters).
fn nonce(key: &str, tag: &str) -> serenity::Nonce {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    serenity::Nonce::String(format!("pb{hash:016x}{tag}"))
}

fn message_id(answer: &Value) -> u64 {
    answer["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn plan_name(notice: &Notice) -> &str {
    match notice {
        Notice::Chase { plan, .. }
        | Notice::QuarterEnd { plan, .. }
        | Notice::Escalation { plan, .. }
        | Notice::Digest { plan, .. }
        | Notice::Missed { plan, .. }
        | Notice::ValueDue { plan, .. }
        | Notice::ReviewDue { plan, .. } => plan,
    }
}

impl Courier for DiscordCourier {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        self.settings.jobs.test_hooks.in_delivery();
        let Some(lead) = &item.lead else {
            let channel = item.channel_id.ok_or_else(|| {
                DeliveryError::Permanent("the message has no channel to go to".into())
            })?;
            if matches!(item.notice, Notice::Digest { .. }) {
                return self.post_digest(item, channel).await;
            }
            let id = self.post(channel, &self.render(item, None, "")).await?;
            return Ok(Delivered {
                message_id: id,
                delivered_as: "channel".into(),
            });
        };
        let Some(user) = lead.discord_id else {
            return self.to_channel_instead(item, "not linked", None).await;
        };
        let dm = self.dm_channel(item, user).await?;
        match self.post(dm, &self.render(item, None, "")).await {
            Ok(id) => Ok(Delivered {
                message_id: id,
                delivered_as: "dm".into(),
            }),
            Err(CallError::Refused { code: 50007, .. }) => {
                self.to_channel_instead(item, "dm closed", Some(user)).await
            }
            // A remembered DM channel that Discord no longer knows: forget
            // it, and the next try opens a new one.
            Err(CallError::Refused { code: 10003, .. }) if lead.dm_channel_id.is_some() => {
                if let Err(e) = self.store.forget_dm_channel(lead.person_id).await {
                    tracing::warn!("could not forget a DM channel: {e}");
                }
                Err(DeliveryError::Transient("the DM channel had gone".into()))
            }
            Err(e) => Err(e.into()),
        }
    }
}
