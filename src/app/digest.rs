//! The board digest of a quarter: made from the history, rendered in the
//! formats asked for (off the runtime: the chart takes a while), recorded
//! once handed out so that the next one says what changed since.

use super::{Actor, AppError, off_runtime};
use crate::digest::{self, Digest, EmbedText, Format};
use crate::plan::{AsOf, Plan, Quarter};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// A digest with its files, not yet recorded.
pub struct MadeDigest {
    pub digest: Digest,
    pub embed: EmbedText,
    /// (file name, bytes), in the order of the formats asked for.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Makes and renders the digest of `quarter` ("Q4 18/19"), or of the
/// quarter just ended. `formats` are single formats (see [`Format::expand`]).
pub async fn make_digest(
    store: &Store,
    actor: &Actor,
    plan: &Plan,
    quarter: Option<&str>,
    formats: &[Format],
    now: DateTime<Utc>,
) -> Result<MadeDigest, AppError> {
    may_make_digest(store, actor).await?;
    let (_, as_of) = which_quarter(plan, quarter, now)?;
    super::plans::check_recorded(store, plan, as_of).await?;
    make_scheduled_digest(store, plan, quarter, formats, now).await
}

/// The same for the digest job, which posts the quarter's digest whatever the
/// record holds (a rehearsal may run before the plan's first import).
pub async fn make_scheduled_digest(
    store: &Store,
    plan: &Plan,
    quarter: Option<&str>,
    formats: &[Format],
    now: DateTime<Utc>,
) -> Result<MadeDigest, AppError> {
    let (q, as_of) = which_quarter(plan, quarter, now)?;
    let made = digest::make(store, plan, q, as_of, now).await?;
    let formats = formats.to_vec();
    off_runtime(move || {
        let files = digest::render_formats(&made, &formats)
            .map_err(|e| AppError::Internal(format!("cannot render the digest: {e}")))?;
        Ok(MadeDigest {
            embed: digest::embed(&made),
            digest: made,
            files,
        })
    })
    .await?
}

/// The quarter meant ("Q4 18/19", or the one just ended) and the moment
/// its digest looks from.
pub fn which_quarter(
    plan: &Plan,
    quarter: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Quarter, AsOf), AppError> {
    Ok(match quarter {
        Some(text) => {
            let q = plan.year_start.parse_quarter(text)?;
            let starts = plan.year_start.first_day(q);
            // Its actions "as of now" under its name would misstate it.
            if starts > plan.today(now) {
                return Err(AppError::QuarterNotBegun {
                    quarter: plan.year_start.label(q),
                    starts,
                });
            }
            (q, digest::quarter_as_of(plan, q, now))
        }
        None => digest::last_quarter(plan, now),
    })
}

/// Board secretaries and plan admins may; an adapter that answers before
/// the work is done can ask first.
pub async fn may_make_digest(store: &Store, actor: &Actor) -> Result<(), AppError> {
    if actor.rights(store).await?.may_read_digests() {
        Ok(())
    } else {
        Err(AppError::NotSecretary)
    }
}

/// Records a digest as handed out (written, sent or posted).
pub async fn record_digest(
    store: &Store,
    plan: &Plan,
    made: &MadeDigest,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    Ok(digest::record(store, plan, &made.digest, now).await?)
}
