use super::{Result, Store, StoreError};
use crate::plan::Person;

/// A person and how many open actions they lead across all plans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonSummary {
    #[serde(flatten)]
    pub person: Person,
    pub open_actions: i64,
}

struct PersonRow {
    name: String,
    discord_id: Option<String>,
    open_actions: i64,
}

impl Store {
    pub async fn people(&self) -> Result<Vec<PersonSummary>> {
        let rows = sqlx::query_as!(
            PersonRow,
            r#"SELECT pe.name, pe.discord_id,
                      (SELECT count(*) FROM action_leads al JOIN actions a ON a.id = al.action_id
                        WHERE al.person_id = pe.id AND a.removed_at_ms IS NULL AND a.status <> 'complete')
                        AS "open_actions!: i64"
                 FROM people pe ORDER BY pe.name"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PersonSummary {
                person: Person {
                    name: r.name,
                    discord_id: r.discord_id.and_then(|d| d.parse().ok()),
                },
                open_actions: r.open_actions,
            })
            .collect())
    }

    /// Whether a person of this name (in any case) is in the database.
    pub async fn has_person(&self, name: &str) -> Result<bool> {
        let found = sqlx::query_scalar!("SELECT 1 AS one FROM people WHERE name = ?", name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Ties a lead's name to their Discord account, replacing any earlier link.
    pub async fn link_person(&self, name: &str, discord_id: u64) -> Result<Person> {
        // Discord never gives out 0; storing it would make the person look linked.
        if discord_id == 0 {
            return Err(StoreError::NotADiscordId);
        }
        let mut tx = self.begin_write().await?;
        let id_text = discord_id.to_string();
        let name = name.trim();
        let holder = sqlx::query_scalar!("SELECT name FROM people WHERE discord_id = ?", id_text)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(holder) = holder.filter(|h| !h.eq_ignore_ascii_case(name)) {
            return Err(StoreError::DiscordIdTaken {
                discord_id,
                name: holder,
            });
        }
        let stored = sqlx::query_scalar!(
            "UPDATE people SET discord_id = ?, dm_channel_id = NULL WHERE name = ? RETURNING name",
            id_text,
            name
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NoSuchPerson(name.to_string()))?;
        tx.commit().await?;
        Ok(Person {
            name: stored,
            discord_id: Some(discord_id),
        })
    }

    /// The person linked to a Discord user, if any.
    pub async fn person_by_discord_id(&self, discord_id: u64) -> Result<Option<Person>> {
        let id_text = discord_id.to_string();
        let name = sqlx::query_scalar!("SELECT name FROM people WHERE discord_id = ?", id_text)
            .fetch_optional(&self.pool)
            .await?;
        Ok(name.map(|name| Person {
            name,
            discord_id: Some(discord_id),
        }))
    }
}
