//! Faults the tests inject into the running jobs. Only tests set them: they
//! are not read from the config file or the environment, and left at their
//! defaults they do nothing.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct TestHooks {
    /// Chase decisions still to panic (test only).
    pub job_panics: Arc<AtomicU32>,
    /// Deliveries still to panic before they send (test only).
    pub sender_panics: Arc<AtomicU32>,
    /// While closed, chase decisions wait for it (test only).
    pub decision_gate: Option<Gate>,
    /// The supervisor's first wait before a restart, instead of 1 s (test only).
    pub first_restart: Option<Duration>,
}

impl TestHooks {
    /// Panics if a test asked this chase decision to.
    pub fn in_decision(&self) {
        if let Some(gate) = &self.decision_gate {
            gate.pass();
        }
        if take_one(&self.job_panics) {
            panic!("a panic injected into the chase job by a test");
        }
    }

    /// Panics if a test asked this delivery to.
    pub fn in_delivery(&self) {
        if take_one(&self.sender_panics) {
            panic!("a panic injected into the outbox sender by a test");
        }
    }
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// A gate a blocking thread waits at until a test opens it.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn open(&self) {
        let (open, cv) = &*self.0;
        *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }

    /// Blocks the calling thread until the gate is open.
    fn pass(&self) {
        let (open, cv) = &*self.0;
        let mut is_open = open.lock().unwrap_or_else(|e| e.into_inner());
        while !*is_open {
            is_open = cv.wait(is_open).unwrap_or_else(|e| e.into_inner());
        }
    }
}
