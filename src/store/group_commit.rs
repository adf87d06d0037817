//! Group commit for status updates. Every update goes to one writer task;
//! it takes all the updates waiting at that moment and writes them in one
//! transaction, so fifty leads pressing at once cost one fsync, not fifty.
//! Each update is still checked (permission, validation) and stamped inside
//! that transaction, in the order it arrived; a refusal writes nothing, so
//! it leaves the others in the batch untouched. A database error while
//! writing fails the whole batch (nothing of it is kept, everyone in it is
//! told): such errors (disk full, I/O) would fail the commit anyway, and a
//! savepoint around every update cost a third of the batch's time. No one is
//! told an update was recorded until the whole batch is on disk.

use super::StoreError;
use super::history::Updated;
use super::open::classify;
use super::status_batch::{Asked, Decide, Outcome, apply_batch};
use crate::plan::{Action, Plan, StatusRequest};
use sqlx::SqlitePool;
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

/// The most updates one transaction takes; more wait for the next.
const MAX_BATCH: usize = 256;
/// Updates that may wait for the writer before senders wait too.
const QUEUE: usize = 4096;

/// The caller's own refusal, carried through the writer unchanged.
type Refusal = Box<dyn Any + Send>;

struct Job {
    plan: Plan,
    reference: String,
    asker: Option<u64>,
    decide: Decide<Refusal>,
    answer: oneshot::Sender<Answer>,
}

enum Answer {
    Done(Box<Updated>),
    Refused(Refusal),
    Failed(StoreError),
}

/// The way to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// What the writer needs of the store (not the store itself, which holds
/// the writer: the task ends when the last store handle is dropped).
struct Db {
    pool: SqlitePool,
    path: PathBuf,
    wait: Duration,
}

impl Writer {
    /// Starts the writer task, restarted if it ever panics.
    pub(super) fn start(pool: SqlitePool, path: PathBuf, wait: Duration) -> Writer {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let db = Arc::new(Db { pool, path, wait });
        tokio::spawn(supervise(Arc::new(Mutex::new(queue)), db));
        Writer { jobs }
    }

    /// Queues an update and waits until it is on disk, refused or failed.
    pub(super) async fn change<E: From<StoreError> + Send + 'static>(
        &self,
        plan: &Plan,
        reference: &str,
        asker: Option<u64>,
        decide: impl FnOnce(&Action, Option<&str>) -> std::result::Result<StatusRequest, E>
        + Send
        + 'static,
    ) -> std::result::Result<Updated, E> {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            plan: plan.clone(),
            reference: reference.to_string(),
            asker,
            decide: Box::new(move |action, lead| {
                decide(action, lead).map_err(|e| Box::new(e) as Refusal)
            }),
            answer,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        match answered.await.map_err(|_| StoreError::WriterStopped)? {
            Answer::Done(updated) => Ok(*updated),
            // The refusal was made by this call's own `decide`, so it is an E.
            Answer::Refused(refusal) => Err(*refusal
                .downcast::<E>()
                .expect("a refusal comes back as the type its decide made")),
            Answer::Failed(e) => Err(e.into()),
        }
    }
}

async fn supervise(queue: Arc<Mutex<mpsc::Receiver<Job>>>, db: Arc<Db>) {
    loop {
        match tokio::spawn(serve(queue.clone(), db.clone())).await {
            // Every sender is gone: the store was dropped.
            Ok(()) => return,
            Err(e) if e.is_panic() => {
                // The batch in hand is rolled back and its callers told the
                // writer stopped; later updates go to a new writer.
                tracing::error!("the status writer panicked; starting it again");
            }
            Err(_) => return,
        }
    }
}

async fn serve(queue: Arc<Mutex<mpsc::Receiver<Job>>>, db: Arc<Db>) {
    let mut queue = queue.lock().await;
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        db.commit(std::mem::take(&mut batch)).await;
    }
}

impl Db {
    async fn commit(&self, jobs: Vec<Job>) {
        let mut tx = match self.pool.begin_with("BEGIN IMMEDIATE").await {
            Ok(tx) => tx,
            Err(e) => return self.fail_all(jobs.into_iter().map(|job| job.answer), e),
        };
        let mut waiting = Vec::with_capacity(jobs.len());
        let mut places = Vec::with_capacity(jobs.len());
        let mut decisions = Vec::with_capacity(jobs.len());
        for job in jobs {
            waiting.push(job.answer);
            places.push((job.plan, job.reference, job.asker));
            decisions.push(job.decide);
        }
        let batch = places
            .iter()
            .zip(decisions)
            .map(|((plan, reference, asker), decide)| Asked {
                plan,
                reference,
                asker: *asker,
                decide,
            })
            .collect();
        let outcomes = match apply_batch(&mut tx, batch).await {
            Ok(outcomes) => outcomes,
            // It may have written part of the batch: the transaction is
            // dropped, which rolls it back, and every update in it fails.
            Err(e) => {
                drop(tx);
                let e = match e {
                    // Read-only file, busy, damaged: the advice for it.
                    StoreError::Database(e) => self.classify(e),
                    other => other,
                };
                for to in waiting {
                    let _ = to.send(Answer::Failed(e.again()));
                }
                return;
            }
        };
        match tx.commit().await {
            // A caller that stopped waiting (an interaction that timed out)
            // does not undo what was recorded.
            Ok(()) => {
                for (to, outcome) in waiting.into_iter().zip(outcomes) {
                    let _ = to.send(match outcome {
                        Outcome::Done(updated) => Answer::Done(updated),
                        Outcome::Refused(refusal) => Answer::Refused(refusal),
                        Outcome::Missing(e) => Answer::Failed(e),
                    });
                }
            }
            Err(e) => self.fail_all(waiting.into_iter(), e),
        }
    }

    /// Tells every waiting caller that nothing of theirs was written.
    fn fail_all(&self, waiting: impl Iterator<Item = oneshot::Sender<Answer>>, e: sqlx::Error) {
        let reason = self.classify(e);
        for to in waiting {
            let _ = to.send(Answer::Failed(reason.again()));
        }
    }

    fn classify(&self, e: sqlx::Error) -> StoreError {
        classify(&self.path, self.wait, e)
    }
}
