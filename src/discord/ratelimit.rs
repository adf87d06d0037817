//! Discord's rate limits, kept by the outbox sender: a global pace, and
//! per-route buckets learned from the `X-RateLimit-*` headers, so that a
//! burst of reminders goes out near the limit and is not refused.
//!
//! serenity has its own limiter, but it always addresses discord.com, so it
//! cannot run against a local Discord-compatible server; this one works the
//! same in both places.

use reqwest::header::HeaderMap;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimiter {
    /// Time between two requests: a little over 1/limit, so jitter on the
    /// way never puts the 51st request in one second.
    spacing: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next_slot: Instant,
    global_until: Option<Instant>,
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    remaining: u32,
    reset_at: Instant,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        let per_second = f64::from(per_second.max(1));
        RateLimiter {
            spacing: Duration::from_secs_f64(1.02 / per_second),
            state: Mutex::new(State {
                next_slot: Instant::now(),
                global_until: None,
                buckets: HashMap::new(),
            }),
        }
    }

    /// Waits until a request on `route` may go. The turn is taken under the
    /// lock and waited for without it, so that what a response teaches
    /// (`update`, `refused`) is learned at once.
    pub async fn acquire(&self, route: &str) {
        loop {
            let (at, done) = {
                let mut st = self.state.lock().await;
                let now = Instant::now();
                let blocked = st.global_until.filter(|g| *g > now).or_else(|| {
                    st.buckets
                        .get(route)
                        .filter(|b| b.remaining == 0 && b.reset_at > now)
                        .map(|b| b.reset_at)
                });
                match blocked {
                    Some(at) => (at, false),
                    None => {
                        if let Some(b) = st.buckets.get_mut(route) {
                            // A bucket past its reset is unknown again: one
                            // request finds out its new state.
                            b.remaining = if b.reset_at <= now {
                                0
                            } else {
                                b.remaining - 1
                            };
                            b.reset_at = b.reset_at.max(now);
                        }
                        let slot = st.next_slot.max(now);
                        st.next_slot = slot + self.spacing;
                        (slot, true)
                    }
                }
            };
            tokio::time::sleep_until(at).await;
            if done {
                return;
            }
        }
    }

    /// Learns a route's bucket from a response's headers.
    pub async fn update(&self, route: &str, headers: &HeaderMap) {
        let read = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let (Some(remaining), Some(after)) = (
            read("x-ratelimit-remaining"),
            read("x-ratelimit-reset-after"),
        ) {
            let mut st = self.state.lock().await;
            st.buckets.insert(
                route.to_string(),
                Bucket {
                    remaining: remaining.max(0.0) as u32,
                    reset_at: Instant::now() + Duration::from_secs_f64(after.max(0.0)),
                },
            );
        }
    }

    /// After a 429: nothing more on the route (or anywhere, if global) until
    /// `retry_after` has passed.
    pub async fn refused(&self, route: &str, global: bool, retry_after: Duration) {
        let until = Instant::now() + retry_after;
        let mut st = self.state.lock().await;
        if global {
            st.global_until = Some(until);
        } else {
            st.buckets.insert(
                route.to_string(),
                Bucket {
                    remaining: 0,
                    reset_at: until,
                },
            );
        }
    }
}
