//! Answering in time. Discord refuses an interaction's first answer after
//! 3 s, and a write may have to wait for the database (another program's
//! import holds the lock for as long as it runs). Work that is not done by
//! [`DEFER_AFTER`] is acknowledged first ("planbot is thinking..."), and
//! its answer follows when it is done.

use std::future::Future;
use std::time::Duration;

/// Well inside Discord's 3 s, with room for the acknowledgement's own trip.
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Runs `work`; if it is not done within [`DEFER_AFTER`], runs `defer` and
/// carries on. Returns the work's result and whether it was deferred.
pub async fn within<T, D>(work: impl Future<Output = T>, defer: impl FnOnce() -> D) -> (T, bool)
where
    D: Future<Output = Result<(), poise::serenity_prelude::Error>>,
{
    tokio::pin!(work);
    if let Ok(done) = tokio::time::timeout(DEFER_AFTER, &mut work).await {
        return (done, false);
    }
    if let Err(e) = defer().await {
        // The work goes on regardless: it may be a write the user expects.
        tracing::warn!("could not acknowledge an interaction in time: {e}");
    }
    (work.await, true)
}
