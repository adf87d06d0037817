//! Statements that write many rows at once, `... VALUES (?, ?), (?, ?) ...`,
//! the rows bound as parameters. One statement per row would cost a round
//! trip to SQLite's thread each; rows sent as JSON cost SQLite a parse of
//! every field, which took most of a big import's time.

use crate::store::Result;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, AssertSqlSafe, Sqlite};

/// The most parameters in one statement, so that each does a like amount
/// of work for its round trip to SQLite's thread however wide its rows:
/// 256 actions a statement, 1,024 leads.
const PARAMETERS: usize = 4096;

/// A row of a multi-row statement.
pub(super) trait Row {
    /// The parameters each row binds.
    const COLUMNS: usize;

    /// Binds the row's values, in its columns' order.
    fn bind(self, args: &mut Binder);
}

/// The parameters of one statement.
pub(super) struct Binder {
    args: SqliteArguments,
    failed: Option<sqlx::error::BoxDynError>,
}

impl Binder {
    pub(super) fn add<'t, T: sqlx::Encode<'t, Sqlite> + sqlx::Type<Sqlite>>(&mut self, value: T) {
        if let Err(e) = self.args.add(value) {
            self.failed.get_or_insert(e);
        }
    }
}

/// Writes `rows` with `statement`, which puts the `VALUES` list it is given
/// where the rows go (in an `INSERT`, or as a table to join or to test `IN`).
pub(super) async fn write_rows<R: Row>(
    tx: &mut sqlx::SqliteConnection,
    rows: Vec<R>,
    statement: impl Fn(&str) -> String,
) -> Result<()> {
    let mut rows = rows.into_iter();
    let mut sql = (0, String::new());
    let most = 1 << (PARAMETERS / R::COLUMNS).ilog2();
    for size in batch_sizes(rows.len(), most) {
        let mut binder = Binder {
            args: SqliteArguments::default(),
            failed: None,
        };
        binder.args.reserve(size * R::COLUMNS, 0);
        for row in rows.by_ref().take(size) {
            row.bind(&mut binder);
        }
        if let Some(e) = binder.failed {
            return Err(sqlx::Error::Encode(e).into());
        }
        if sql.0 != size {
            sql = (size, statement(&values_list(size, R::COLUMNS)));
        }
        // Only placeholders are put in the text; the values are bound.
        sqlx::query_with(AssertSqlSafe(sql.1.as_str()), binder.args)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// How many rows each statement takes: full statements of `most`, then
/// the rest in falling powers of two. Preparing a statement of many rows
/// costs several times what running it does (some 15 µs a row), and sqlx
/// keeps prepared statements by their text; so the sizes are kept to a few
/// that are prepared once, however many rows each import brings.
fn batch_sizes(mut left: usize, most: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = match left {
            0 => return None,
            n if n >= most => most,
            n => 1 << n.ilog2(),
        };
        left -= size;
        Some(size)
    })
}

/// `VALUES (?, ?), (?, ?)` for two rows of two columns.
fn values_list(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    let mut list = String::with_capacity(8 + rows * (row.len() + 2));
    list.push_str("VALUES ");
    for i in 0..rows {
        if i > 0 {
            list.push_str(", ");
        }
        list.push_str(&row);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_in_full_statements_then_powers_of_two() {
        let sizes = |n| batch_sizes(n, 256).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(256), [256]);
        assert_eq!(sizes(2 * 256 + 13), [256, 256, 8, 4, 1]);
        assert_eq!(values_list(2, 3), "VALUES (?, ?, ?), (?, ?, ?)");
    }
}
