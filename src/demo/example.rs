//! The demo's Discord server, on the local test server: a council's
//! planning and board channels, its two roles, and a few people.

use discord_testserver::{GuildSpec, MemberSpec};

pub const GUILD: u64 = 1_000_000_000_000_000_100;
pub const PLANNING: u64 = 1_000_000_000_000_000_110;
pub const BOARD: u64 = 1_000_000_000_000_000_111;
pub const PLAN_ADMIN: u64 = 1_000_000_000_000_000_120;
pub const BOARD_SECRETARY: u64 = 1_000_000_000_000_000_121;
/// Plan admin, and owner of the guild and the application.
pub const ALICE: u64 = 1_000_000_000_000_000_130;
/// Board secretary.
pub const BOB: u64 = 1_000_000_000_000_000_131;
/// No roles.
pub const CAROL: u64 = 1_000_000_000_000_000_132;
/// No roles.
pub const DAVE: u64 = 1_000_000_000_000_000_133;
/// No roles; the demo links her to "Ophelia Rix", who leads 1.4, 2.4, 6.6,
/// 7.1, 10.6 ... in the example plan.
pub const OPHELIA: u64 = 1_000_000_000_000_000_201;

/// "Council improvement plans": `#planning` and `#board`; roles "Plan
/// admin" and "Board secretary"; members alice (Plan admin, owner), bob
/// (Board secretary), carol, dave and ophelia.
pub fn guild() -> GuildSpec {
    let member = |user_id, name: &str, roles: Vec<u64>| MemberSpec {
        user_id,
        name: name.to_string(),
        roles,
    };
    GuildSpec {
        guild_id: GUILD,
        name: "Council improvement plans".into(),
        channels: vec![(PLANNING, "planning".into()), (BOARD, "board".into())],
        roles: vec![
            (PLAN_ADMIN, "Plan admin".into()),
            (BOARD_SECRETARY, "Board secretary".into()),
        ],
        members: vec![
            member(ALICE, "alice", vec![PLAN_ADMIN]),
            member(BOB, "bob", vec![BOARD_SECRETARY]),
            member(CAROL, "carol", vec![]),
            member(DAVE, "dave", vec![]),
            member(OPHELIA, "ophelia", vec![]),
        ],
    }
}
