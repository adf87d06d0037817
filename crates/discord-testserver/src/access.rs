//! Who may do what: role permissions, channel overwrites, whether the bot is
//! in a guild at all, and which token is accepted. Everything starts as
//! permissive as a test could want (the bot an administrator everywhere, any
//! token accepted); these setters take that away, to test a bot's checks.
//!
//! Call them before a client connects: the gateway is not told of a change.

use serenity::model::Permissions;

use super::TestServer;

/// A channel's permission overwrite, as Discord keeps it.
#[derive(Clone, Debug)]
pub struct Overwrite {
    pub target: OverwriteTarget,
    pub allow: Permissions,
    pub deny: Permissions,
}

/// Whom an overwrite applies to. `Role(guild_id)` is `@everyone`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverwriteTarget {
    Role(u64),
    Member(u64),
}

impl TestServer {
    /// Gives a role (`guild_id` itself for `@everyone`) these permissions
    /// instead of its default: `@everyone` may chat and read, other roles
    /// have none.
    pub fn set_role_permissions(&self, guild_id: u64, role_id: u64, permissions: Permissions) {
        self.with_guild(guild_id, |g| {
            g.role_perms.insert(role_id, permissions);
        });
    }

    /// Gives the bot's own (managed) role in a guild these permissions
    /// instead of ADMINISTRATOR, so that overwrites apply to it.
    pub fn set_bot_permissions(&self, guild_id: u64, permissions: Permissions) {
        self.with_guild(guild_id, |g| {
            g.role_perms.insert(g.bot_role_id, permissions);
        });
    }

    /// The id of the bot's own role in a guild.
    pub fn bot_role_id(&self, guild_id: u64) -> Option<u64> {
        self.shared.lock().guild(guild_id).map(|g| g.bot_role_id)
    }

    /// Replaces a channel's permission overwrites.
    pub fn set_overwrites(&self, channel_id: u64, overwrites: Vec<Overwrite>) {
        let mut st = self.shared.lock();
        if let Some(g) = st
            .guilds
            .iter_mut()
            .find(|g| g.channel(channel_id).is_some())
        {
            g.overwrites.insert(channel_id, overwrites);
        }
        drop(st);
        self.shared.notify();
    }

    /// Takes the bot out of a guild, as if it had never been invited: the
    /// guild, its channels, members and commands answer 403 "Missing
    /// Access" (code 50001), and the gateway leaves the guild out.
    pub fn remove_bot(&self, guild_id: u64) {
        self.with_guild(guild_id, |g| g.bot_is_member = false);
    }

    /// From now on only this bot token is accepted: requests with another
    /// get 401, as Discord answers a reset or mistyped token.
    pub fn require_token(&self, token: &str) {
        self.shared.lock().required_token = Some(token.to_string());
    }

    fn with_guild(&self, guild_id: u64, change: impl FnOnce(&mut super::state::GuildData)) {
        if let Some(g) = self.shared.lock().guild_mut(guild_id) {
            change(g);
        }
        self.shared.notify();
    }
}
