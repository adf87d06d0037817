//! Who the command line acts as: the name `--by` gives, trusted as a plan
//! admin (whoever can run planbot can write its database anyway).

use super::stderr::{Level, line};
use crate::app::people;
use crate::store::Store;

/// Once a change is recorded: a name planbot does not know is kept as
/// given, since an admin need not lead anything, with a warning, as the
/// history is append-only and a mistyped name would stay in it. The change
/// is made: a failure to look the name up is no reason to say otherwise.
pub(super) async fn warn_if_unknown(store: &Store, by: &str) {
    if let Ok(false) = people::is_known(store, by).await {
        line(
            Level::Warning,
            &format!(
                "\"{}\" is not among the people planbot knows (`planbot people` lists them); \
                 the history keeps the name as given",
                by.trim()
            ),
        );
    }
}
