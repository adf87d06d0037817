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

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}
