//! Where "now" comes from: the system clock in production, a chosen moment
//! in tests and the demo.

use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(move || at))
    }

    /// Starts at `at` and runs on in real time: a bot process started "as
    /// of" a moment, for tests and rehearsals.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        let started = std::time::Instant::now();
        Clock(Arc::new(move || {
            at + chrono::Duration::from_std(started.elapsed()).unwrap_or_default()
        }))
    }

    /// A clock that stands still until its hand moves it: tests of backoff
    /// and outages pass an hour in an instant.
    pub fn manual(at: DateTime<Utc>) -> (Clock, ClockHand) {
        let time = Arc::new(std::sync::Mutex::new(at));
        let read = time.clone();
        let clock = Clock(Arc::new(move || {
            *read.lock().unwrap_or_else(|e| e.into_inner())
        }));
        (clock, ClockHand(time))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// Moves a [`Clock::manual`] clock.
#[derive(Clone)]
pub struct ClockHand(Arc<std::sync::Mutex<DateTime<Utc>>>);

impl ClockHand {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}
