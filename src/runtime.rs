//! One supervisor for the bot's long-running tasks. A task it may restart
//! (the scheduler, the sender) that panics or ends is logged and started
//! again after a back-off; one that keeps failing, or a task it cannot
//! restart (the gateway client), ends the supervisor with an error, so
//! that the process exits non-zero and a service manager restarts it:
//! never a bot that answers commands while its reminders have stopped.

use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

/// How long a stop waits for the tasks to finish what they are doing. A
/// message Discord has not answered in 5 s is as good as timed out, and a
/// service manager's stop must not hang on an unreachable network: within
/// this, the whole stop fits the 10 s the unit file allows.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// Why the supervisor stopped, when it was not asked to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    #[error("{0}")]
    Ended(String),
    #[error("the {task} failed {failures} times in a row, the last time with: {reason}")]
    GaveUp {
        task: &'static str,
        failures: u32,
        reason: String,
    },
}

/// How a task ended: `Ok` only when asked to stop.
pub type TaskResult = Result<(), String>;

type Factory = Box<dyn FnMut() -> BoxFuture<'static, TaskResult> + Send>;

/// Restart after 1 s, doubling to a minute; give up after 5 failures with
/// less than 10 minutes of work between them.
#[derive(Debug, Clone, Copy)]
pub struct RestartPolicy {
    pub first_wait: Duration,
    pub max_wait: Duration,
    pub give_up_after: u32,
    pub healthy_after: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            give_up_after: 5,
            healthy_after: Duration::from_secs(600),
        }
    }
}

struct Restartable {
    factory: Factory,
    failures: u32,
    started: Instant,
}

pub struct Supervisor {
    set: JoinSet<TaskResult>,
    names: HashMap<Id, &'static str>,
    restartable: HashMap<&'static str, Restartable>,
    policy: RestartPolicy,
    stop: Arc<watch::Sender<bool>>,
}

impl Supervisor {
    pub fn new(policy: RestartPolicy) -> Supervisor {
        Supervisor {
            set: JoinSet::new(),
            names: HashMap::new(),
            restartable: HashMap::new(),
            policy,
            stop: Arc::new(watch::channel(false).0),
        }
    }

    /// Turns true when the tasks are to finish their work and end.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// What asks every task to stop.
    pub fn stopper(&self) -> Arc<watch::Sender<bool>> {
        self.stop.clone()
    }

    /// A task whose end, for whatever reason, ends the supervisor.
    pub fn critical(
        &mut self,
        name: &'static str,
        task: impl Future<Output = TaskResult> + Send + 'static,
    ) {
        let id = self.set.spawn(task).id();
        self.names.insert(id, name);
    }

    /// A task started again, by `factory`, whenever it fails.
    pub fn restartable(
        &mut self,
        name: &'static str,
        mut factory: impl FnMut() -> BoxFuture<'static, TaskResult> + Send + 'static,
    ) {
        let id = self.set.spawn(factory()).id();
        self.names.insert(id, name);
        self.restartable.insert(
            name,
            Restartable {
                factory: Box::new(factory),
                failures: 0,
                started: Instant::now(),
            },
        );
    }

    /// Supervises until asked to stop (`Ok`) or until a task cannot go on.
    /// Either way every task is asked to stop and given [`STOP_GRACE`] to
    /// finish what it is doing (the message in flight) before it is cut off.
    pub async fn run(mut self) -> Result<(), RuntimeError> {
        let mut stopping = self.stopping();
        let outcome = loop {
            tokio::select! {
                _ = stopped(&mut stopping) => break Ok(()),
                Some(ended) = self.set.join_next_with_id() => {
                    if *self.stop.borrow() {
                        continue;
                    }
                    if let Err(e) = self.ended(ended) {
                        break Err(e);
                    }
                }
            }
        };
        self.stop.send_replace(true);
        let (set, names) = (&mut self.set, &mut self.names);
        let drained = tokio::time::timeout(STOP_GRACE, async {
            while let Some(ended) = set.join_next_with_id().await {
                names.remove(&ended.map_or_else(|e| e.id(), |(id, _)| id));
            }
        });
        if drained.await.is_err() {
            let waiting: Vec<_> = self.names.values().collect();
            tracing::warn!(
                ?waiting,
                "still busy {STOP_GRACE:?} after the stop was asked for (Discord not answering?); \
                 cutting it off: a message in flight is sent again, with the same nonce, at the next start"
            );
            self.set.abort_all();
        }
        outcome
    }

    fn ended(&mut self, ended: Result<(Id, TaskResult), JoinError>) -> Result<(), RuntimeError> {
        let (id, reason) = match ended {
            Ok((id, Ok(()))) => (id, "it ended".to_string()),
            Ok((id, Err(e))) => (id, e),
            Err(e) => (e.id(), panic_message(e)),
        };
        let name = self.names.remove(&id).unwrap_or("task");
        let policy = self.policy;
        let Some(task) = self.restartable.get_mut(name) else {
            return Err(RuntimeError::Ended(reason));
        };
        if task.started.elapsed() >= policy.healthy_after {
            task.failures = 0;
        }
        task.failures += 1;
        if task.failures >= policy.give_up_after {
            tracing::error!(task = name, "{reason}; giving up");
            return Err(RuntimeError::GaveUp {
                task: name,
                failures: task.failures,
                reason,
            });
        }
        let wait = policy
            .first_wait
            .saturating_mul(1 << (task.failures - 1).min(16))
            .min(policy.max_wait);
        tracing::error!(task = name, ?wait, "{reason}; restarting it");
        task.started = Instant::now() + wait;
        let next = (task.factory)();
        let mut stopping = self.stopping();
        let id = self
            .set
            .spawn(async move {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => next.await,
                    _ = stopped(&mut stopping) => Ok(()),
                }
            })
            .id();
        self.names.insert(id, name);
        Ok(())
    }
}

/// Returns once `stop` turns true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns may not live across an await.
    let _ = stop.wait_for(|s| *s).await;
}

fn panic_message(e: JoinError) -> String {
    if !e.is_panic() {
        return e.to_string();
    }
    let payload = e.into_panic();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    format!("it panicked: {text}")
}
