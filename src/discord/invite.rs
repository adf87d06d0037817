//! What planbot may do in a server, and the link that invites it there.

use crate::config::Secret;
use poise::serenity_prelude::Permissions;

/// Everything planbot does in a server's channels, and so all its invite
/// asks for and all `planbot check` looks for: it posts escalations,
/// reminders and digests (text, buttons, an embed, the digest's files) in
/// the configured channels. It reads no channel's history (buttons and
/// commands come as interactions) and opens no threads; direct messages need
/// no server permission.
pub const REQUIRED_PERMISSIONS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::ATTACH_FILES);

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(
        "DISCORD_TOKEN does not look like a bot token (its first part, before the first dot, should be the bot's id in base64): copy it again from the Developer Portal (Bot > Reset Token)"
    )]
    MalformedToken,
}

/// The bot's application id, read from its token: a bot token's first
/// dot-separated part is the bot user's id in base64, and a bot's user id
/// is its application's id. No network needed.
pub fn application_id_from_token(token: &Secret) -> Result<u64, InviteError> {
    let first = token.expose().trim().split('.').next().unwrap_or("");
    let digits = decode_base64(first).ok_or(InviteError::MalformedToken)?;
    let text = String::from_utf8(digits).map_err(|_| InviteError::MalformedToken)?;
    match text.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(InviteError::MalformedToken),
    }
}

/// The OAuth2 link that adds the bot to a server with its slash commands
/// and [`REQUIRED_PERMISSIONS`].
pub fn invite_url(token: &Secret) -> Result<String, InviteError> {
    let id = application_id_from_token(token)?;
    Ok(format!(
        "https://discord.com/oauth2/authorize?client_id={id}&scope=bot+applications.commands&permissions={}",
        REQUIRED_PERMISSIONS.bits()
    ))
}

/// Base64 with or without padding, in either alphabet (tokens have used
/// both): a few lines here rather than a dependency for one use.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let text = text.trim_end_matches('=');
    if text.is_empty() || text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for c in text.bytes() {
        bits = (bits << 6) | u32::from(value(c)?);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push(u8::try_from((bits >> held) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_read_from_the_first_part_of_the_token() {
        // "80351110224678912" in base64, padded and not.
        for first in ["ODAzNTExMTAyMjQ2Nzg5MTI=", "ODAzNTExMTAyMjQ2Nzg5MTI"] {
            let token = Secret::new(format!("{first}.GhIjKl.mnopqrstuvwxyz"));
            assert_eq!(
                application_id_from_token(&token).unwrap(),
                80351110224678912
            );
        }
    }

    #[test]
    fn a_token_that_is_not_a_bot_token_is_refused() {
        for bad in ["", "not a token", "!!!!.x.y", "aGVsbG8.x.y", "MA.x.y"] {
            assert!(
                application_id_from_token(&Secret::new(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_invite_asks_for_exactly_the_required_permissions() {
        let token = Secret::new("ODAzNTExMTAyMjQ2Nzg5MTI.x.y");
        let url = invite_url(&token).unwrap();
        assert!(url.contains("client_id=80351110224678912&"), "{url}");
        assert!(url.ends_with("&permissions=52224"), "{url}");
    }
}
