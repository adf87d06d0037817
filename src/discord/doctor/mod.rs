//! `planbot check`, the Discord side: asks Discord (read only: GETs alone)
//! whether the configured servers are ready for planbot, and says so as
//! findings for the command line to print.

mod guild;

use crate::app::setup::{Finding, PlanLeads};
use crate::config::Settings;
use poise::serenity_prelude as serenity;

#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    // The token itself is never part of the message.
    #[error(
        "Discord refused the token ({0}): reset it in the Developer Portal (Bot > Reset Token) and set DISCORD_TOKEN"
    )]
    TokenRefused(String),
    #[error(
        "cannot ask {base} who the bot is: {reason}; check discord.api_base and that this machine may reach it (proxy, firewall)"
    )]
    Unreachable { base: String, reason: String },
    #[error("{0}")]
    Setup(#[from] super::BotError),
}

/// An error with what caused it: serenity's own words ("Error while sending
/// HTTP request.") say nothing of why.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string().trim_end_matches('.').to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        let said = said.trim_end_matches('.');
        if !text.contains(said) {
            text.push_str(": ");
            text.push_str(said);
        }
        source = cause.source();
    }
    text
}

/// Every check of every configured server. Fails only when nothing can be
/// checked: the token is refused or the API cannot be reached.
pub async fn check(settings: &Settings, plans: &[PlanLeads]) -> Result<Vec<Finding>, DoctorError> {
    let http = super::http_for(settings, super::rest_client()?)?;
    let unreachable = |e: serenity::Error| match status(&e) {
        Some(401) => DoctorError::TokenRefused(e.to_string()),
        _ => DoctorError::Unreachable {
            base: settings.discord.api_base.clone(),
            reason: causes(&e),
        },
    };
    let me = http.get_current_user().await.map_err(unreachable)?;
    let app = http
        .get_current_application_info()
        .await
        .map_err(unreachable)?;
    // Command listings are per application; serenity asks for the id once.
    http.set_application_id(app.id);
    let mut findings = vec![Finding::ok(format!(
        "Discord accepts the token: the bot is {} (user {}, application {})",
        me.name, me.id, app.id
    ))];
    let expected = Expected::from_code();
    if settings.discord.register_globally {
        let listed = http.get_global_commands().await;
        findings.push(guild::commands_finding("globally", listed, &expected));
    }
    for g in &settings.guilds {
        let leads: Vec<&PlanLeads> = plans
            .iter()
            .filter(|p| g.plans.iter().any(|n| n.eq_ignore_ascii_case(&p.plan)))
            .collect();
        let scope = guild::Scope {
            http: &http,
            bot: me.id,
            settings: g,
            commands_here: !settings.discord.register_globally,
        };
        findings.extend(guild::check(&scope, &expected, &leads).await);
    }
    Ok(findings)
}

/// The slash commands this planbot registers, and those hidden by default
/// from members without a permission (Discord shows them to admins only
/// until the server's Integrations settings say otherwise).
pub(crate) struct Expected {
    names: Vec<String>,
    admin_only: Vec<String>,
}

impl Expected {
    fn from_code() -> Expected {
        let commands = super::commands::all();
        Expected {
            names: commands.iter().map(|c| c.name.to_string()).collect(),
            admin_only: commands
                .iter()
                .filter(|c| c.default_member_permissions != serenity::Permissions::empty())
                .map(|c| format!("/{}", c.name))
                .collect(),
        }
    }
}

/// The HTTP status of a refusal, if Discord answered at all.
fn status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(h) => h.status_code().map(|s| s.as_u16()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::causes;
    use std::fmt;

    /// serenity wraps its HTTP error in another that says the same.
    #[derive(Debug)]
    struct Said(&'static str, Option<Box<Said>>);

    impl fmt::Display for Said {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Said {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|s| s as _)
        }
    }

    #[test]
    fn a_cause_that_repeats_its_error_is_said_once() {
        let inner = Said("connection refused", None);
        let middle = Said("Error while sending HTTP request.", Some(Box::new(inner)));
        let outer = Said("Error while sending HTTP request.", Some(Box::new(middle)));
        assert_eq!(
            causes(&outer),
            "Error while sending HTTP request: connection refused"
        );
    }
}
