//! Where "now" comes from: the system clock in production, a chosen moment
//! in tests and the demo.

use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Clock {
    now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    /// Told when a hand moves a manual clock, so that sleepers look again.
    moved: Option<Arc<tokio::sync::watch::Sender<()>>>,
}

impl Clock {
    fn of(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock {
            now: Arc::new(now),
            moved: None,
        }
    }

    pub fn system() -> Clock {
        Clock::of(Utc::now)
    }

    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::of(move || at)
    }

    /// Starts at `at` and runs on in real time: a bot process started "as
    /// of" a moment, for tests and rehearsals.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        let started = std::time::Instant::now();
        Clock::of(move || at + chrono::Duration::from_std(started.elapsed()).unwrap_or_default())
    }

    /// A clock that stands still until its hand moves it: tests of backoff
    /// and outages pass an hour in an instant.
    pub fn manual(at: DateTime<Utc>) -> (Clock, ClockHand) {
        let time = Arc::new(std::sync::Mutex::new(at));
        let read = time.clone();
        let moved = Arc::new(tokio::sync::watch::channel(()).0);
        let clock = Clock {
            now: Arc::new(move || *read.lock().unwrap_or_else(|e| e.into_inner())),
            moved: Some(moved.clone()),
        };
        (clock, ClockHand { time, moved })
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.now)()
    }

    /// Sleeps until this clock reads `at`, looking at it again at least
    /// every `nap` (the system clock may be set, the machine suspended) and
    /// whenever a hand moves it.
    pub async fn sleep_until(&self, at: DateTime<Utc>, nap: std::time::Duration) {
        let mut moved = self.moved.as_ref().map(|m| m.subscribe());
        loop {
            let Ok(left) = (at - self.now()).to_std() else {
                return;
            };
            if left.is_zero() {
                return;
            }
            let sleep = tokio::time::sleep(left.min(nap));
            match &mut moved {
                Some(moved) => {
                    tokio::select! {
                        _ = sleep => {}
                        _ = moved.changed() => {}
                    }
                }
                None => sleep.await,
            }
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Moves a [`Clock::manual`] clock.
#[derive(Clone)]
pub struct ClockHand {
    time: Arc<std::sync::Mutex<DateTime<Utc>>>,
    moved: Arc<tokio::sync::watch::Sender<()>>,
}

impl ClockHand {
    pub fn advance(&self, by: chrono::Duration) {
        *self.time.lock().unwrap_or_else(|e| e.into_inner()) += by;
        self.moved.send_replace(());
    }
}
