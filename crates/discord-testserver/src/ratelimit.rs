//! Discord's rate limits, enforced when a test asks: a global limit over any
//! rolling second, and per-route buckets keyed by the route's major
//! parameter, with the `X-RateLimit-*` headers Discord sends.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The limits to enforce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitRules {
    /// Requests in any rolling second, across all routes.
    pub global_per_second: u32,
    /// Requests per bucket in each window.
    pub per_route: u32,
    pub per_route_window: Duration,
}

impl Default for RateLimitRules {
    /// Discord's usual figures: 50 a second, 5 every 5 s per channel.
    fn default() -> Self {
        RateLimitRules {
            global_per_second: 50,
            per_route: 5,
            per_route_window: Duration::from_secs(5),
        }
    }
}

/// A request the server refused as over a limit.
#[derive(Debug, Clone)]
pub struct RateLimitHit {
    pub method: String,
    pub path: String,
    pub global: bool,
    pub at: Instant,
}

/// Opening DM channels is one bucket for the whole bot; Discord is generous
/// with it, and a bench of 1,000 DMs should measure the message limits.
const DM_OPEN_LIMIT: (u32, Duration) = (50, Duration::from_secs(1));

/// What the headers of an answer on a limited route say.
#[derive(Debug, Clone)]
pub(crate) struct BucketState {
    pub limit: u32,
    pub remaining: u32,
    pub reset_after: f64,
    pub bucket: String,
}

impl BucketState {
    pub(crate) fn headers(&self) -> Vec<(&'static str, String)> {
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default()
            + self.reset_after;
        vec![
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", format!("{reset:.3}")),
            (
                "x-ratelimit-reset-after",
                format!("{:.3}", self.reset_after),
            ),
            ("x-ratelimit-bucket", self.bucket.clone()),
        ]
    }
}

/// Why a request was refused, and for how long.
pub(crate) struct Refusal {
    pub retry_after: f64,
    pub global: bool,
    pub bucket: Option<BucketState>,
}

struct Bucket {
    started: Instant,
    count: u32,
}

pub(crate) struct Limiter {
    rules: RateLimitRules,
    accepted: VecDeque<Instant>,
    buckets: HashMap<String, Bucket>,
}

impl Limiter {
    pub(crate) fn new(rules: RateLimitRules) -> Limiter {
        Limiter {
            rules,
            accepted: VecDeque::new(),
            buckets: HashMap::new(),
        }
    }

    /// Counts a request on `segs` (the path under /api/v10). `None` for a
    /// route Discord does not limit this way (interaction callbacks).
    pub(crate) fn check(
        &mut self,
        method: &str,
        segs: &[&str],
        now: Instant,
    ) -> Option<Result<BucketState, Refusal>> {
        if matches!(segs, ["interactions", ..]) {
            return None;
        }
        let (template, major) = template(method, segs);
        let (limit, window) = if template == "POST /users/@me/channels" {
            DM_OPEN_LIMIT
        } else {
            (self.rules.per_route, self.rules.per_route_window)
        };
        let bucket_id = format!("{:016x}", fnv(&template));
        let second = Duration::from_secs(1);
        while self.accepted.front().is_some_and(|t| now - *t >= second) {
            self.accepted.pop_front();
        }
        if self.accepted.len() >= self.rules.global_per_second as usize {
            let oldest = *self.accepted.front().expect("a full window is not empty");
            return Some(Err(Refusal {
                retry_after: (second - (now - oldest)).as_secs_f64(),
                global: true,
                bucket: None,
            }));
        }
        let bucket = self
            .buckets
            .entry(format!("{template}|{major}"))
            .or_insert(Bucket {
                started: now,
                count: 0,
            });
        if now - bucket.started >= window {
            *bucket = Bucket {
                started: now,
                count: 0,
            };
        }
        let reset_after = (window - (now - bucket.started)).as_secs_f64();
        if bucket.count >= limit {
            return Some(Err(Refusal {
                retry_after: reset_after,
                global: false,
                bucket: Some(BucketState {
                    limit,
                    remaining: 0,
                    reset_after,
                    bucket: bucket_id,
                }),
            }));
        }
        bucket.count += 1;
        self.accepted.push_back(now);
        Some(Ok(BucketState {
            limit,
            remaining: limit - bucket.count,
            reset_after,
            bucket: bucket_id,
        }))
    }
}

/// `POST /channels/{}/messages` and the major parameter (`123`), as Discord
/// keys buckets: by channel, guild or webhook.
fn template(method: &str, segs: &[&str]) -> (String, String) {
    let mut major = String::new();
    let mut parts = Vec::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        let is_id = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        let after = i.checked_sub(1).map(|j| segs[j]);
        let webhook_token = i >= 2 && segs[i - 2] == "webhooks";
        if (is_id && i == 1 && matches!(after, Some("channels" | "guilds" | "webhooks")))
            || webhook_token
        {
            major.push_str(s);
        }
        parts.push(if is_id || webhook_token { "{}" } else { s });
    }
    (format!("{method} /{}", parts.join("/")), major)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
