//! Notices from the jobs as Discord messages: text that fits, buttons that
//! still work weeks later (their ids name the plan and the action, nothing
//! held in memory), and mentions only of the people meant.

use super::render::{date, quote};
use crate::jobs::{ActionLine, Notice};
use crate::text::shorten;
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateMessage,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

/// Discord allows five rows of components in a message.
const MAX_ROWS: usize = 5;
/// Room left in the 2,000 characters for the closing lines.
const LIST_BUDGET: usize = 1600;

pub struct RenderOptions<'a> {
    pub plan_id: i64,
    pub snooze_days: u32,
    pub admin_role: Option<u64>,
    /// Posted in the channel instead of a DM: the lead's name, their Discord
    /// id when linked, and why.
    pub instead: Option<(&'a str, Option<u64>, &'a str)>,
}

/// What a button or menu on a reminder does; its custom id carries the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonKind {
    Update,
    Complete,
    Snooze,
    /// The menu of actions beyond the rows with buttons.
    More,
}

impl ButtonKind {
    fn tag(self) -> &'static str {
        match self {
            ButtonKind::Update => "u",
            ButtonKind::Complete => "c",
            ButtonKind::Snooze => "s",
            ButtonKind::More => "m",
        }
    }

    /// `pb:<kind>:<plan id>:<ref>` (the ref is empty for the menu).
    pub fn custom_id(self, plan_id: i64, reference: &str) -> String {
        format!("pb:{}:{plan_id}:{reference}", self.tag())
    }

    pub fn parse(custom_id: &str) -> Option<(ButtonKind, i64, String)> {
        let mut parts = custom_id.splitn(4, ':');
        if parts.next()? != "pb" {
            return None;
        }
        let kind = match parts.next()? {
            "u" => ButtonKind::Update,
            "c" => ButtonKind::Complete,
            "s" => ButtonKind::Snooze,
            "m" => ButtonKind::More,
            _ => return None,
        };
        let plan = parts.next()?.parse().ok()?;
        Some((kind, plan, parts.next().unwrap_or("").to_string()))
    }
}

/// The three buttons for one action.
pub fn action_row(plan_id: i64, reference: &str, snooze_days: u32) -> CreateActionRow {
    let label = |verb: &str| shorten(&format!("{reference}: {verb}"), 80);
    CreateActionRow::Buttons(vec![
        CreateButton::new(ButtonKind::Update.custom_id(plan_id, reference))
            .label(label("Update status"))
            .style(ButtonStyle::Primary),
        CreateButton::new(ButtonKind::Complete.custom_id(plan_id, reference))
            .label(label("Mark complete"))
            .style(ButtonStyle::Success),
        CreateButton::new(ButtonKind::Snooze.custom_id(plan_id, reference))
            .label(label(&format!("Snooze {snooze_days} days")))
            .style(ButtonStyle::Secondary),
    ])
}

/// Buttons on each action; past four, the rest are offered in a menu that
/// answers with their buttons.
fn components(actions: &[ActionLine], o: &RenderOptions) -> Vec<CreateActionRow> {
    let with_buttons = if actions.len() <= MAX_ROWS {
        MAX_ROWS
    } else {
        MAX_ROWS - 1
    };
    let mut rows: Vec<_> = actions
        .iter()
        .take(with_buttons)
        .map(|a| action_row(o.plan_id, &a.reference, o.snooze_days))
        .collect();
    let rest: Vec<_> = actions
        .iter()
        .skip(with_buttons)
        .filter(|a| a.reference.chars().count() <= 100)
        .take(25)
        .map(|a| {
            CreateSelectMenuOption::new(
                shorten(&format!("{} · {}", a.reference, a.text), 100),
                a.reference.clone(),
            )
        })
        .collect();
    if !rest.is_empty() {
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(
                ButtonKind::More.custom_id(o.plan_id, ""),
                CreateSelectMenuKind::String { options: rest },
            )
            .placeholder("More actions: choose one to update"),
        ));
    }
    rows
}

fn line(a: &ActionLine) -> String {
    let due = a.due.map_or("no due date".to_string(), date);
    let overdue = a
        .days_overdue
        .map(|d| format!(", **{d} days overdue**"))
        .unwrap_or_default();
    format!(
        "`{}` {} — {}, due {due}{overdue}",
        a.reference,
        quote(&shorten(&a.text, 90)),
        a.status.label()
    )
}

/// Lines until the budget is spent, then how many more.
fn lines(actions: &[ActionLine]) -> String {
    let mut out = String::new();
    for (i, a) in actions.iter().enumerate() {
        let l = line(a);
        if out.len() + l.len() > LIST_BUDGET {
            out.push_str(&format!(
                "…and {} more: see `/overdue` or `/actions mine`.\n",
                actions.len() - i
            ));
            break;
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

pub fn render(notice: &Notice, o: &RenderOptions) -> CreateMessage {
    let mut users: Vec<u64> = Vec::new();
    let mut roles: Vec<u64> = Vec::new();
    let admins = |roles: &mut Vec<u64>| match o.admin_role {
        Some(r) => {
            roles.push(r);
            format!("<@&{r}>")
        }
        None => "Plan admins".to_string(),
    };
    let (mut text, rows) = match notice {
        Notice::Chase {
            plan,
            lead,
            actions,
        } => (
            format!(
                "**Overdue actions in the {} plan** for {}\n{}Update each with the buttons (or `/status`). Snooze keeps an action out of these reminders for {} days.",
                quote(plan),
                quote(lead),
                lines(actions),
                o.snooze_days
            ),
            components(actions, o),
        ),
        Notice::QuarterEnd {
            plan,
            lead,
            quarter,
            ends,
            days_left,
            actions,
        } => (
            format!(
                "**{quarter} ends {} ({}).** {}, these {} actions of yours are due this quarter and have had no update since it began:\n{}Please update them before the board, with the buttons or `/status`.",
                date(*ends),
                match *days_left {
                    0 => "today".to_string(),
                    n => format!("in {}", crate::text::count(n, "day", "days")),
                },
                quote(lead),
                quote(plan),
                lines(actions)
            ),
            components(actions, o),
        ),
        Notice::Escalation {
            plan,
            priority,
            priority_title,
            strategic_leads,
            after_days,
            actions,
        } => {
            let mut to: Vec<String> = strategic_leads
                .iter()
                .map(|n| match n.discord_id {
                    Some(id) => {
                        users.push(id);
                        format!("<@{id}>")
                    }
                    None => format!("**{}**", quote(&n.name)),
                })
                .collect();
            to.push(admins(&mut roles));
            (
                format!(
                    "**Escalation: {} plan, priority {priority}, {}**\n{}: these actions are more than {after_days} days overdue.\n{}",
                    quote(plan),
                    quote(priority_title),
                    to.join(", "),
                    lines(actions)
                ),
                Vec::new(),
            )
        }
        Notice::Missed {
            plan,
            since,
            until,
            skipped_runs,
            expired,
        } => {
            let mut text = format!(
                "{}: planbot was not running for the {} plan from <t:{}:f> to <t:{}:f>, longer than its catch-up window.",
                admins(&mut roles),
                quote(plan),
                since.timestamp(),
                until.timestamp()
            );
            if !skipped_runs.is_empty() {
                text.push_str(&format!(
                    "\nSkipped runs (the latest ran once): {}.",
                    skipped_runs.join("; ")
                ));
            }
            if !expired.is_empty() {
                text.push_str(&format!(
                    "\n{} reminder(s) queued before then were not sent, being out of date. The next runs send fresh ones.",
                    expired.len()
                ));
            }
            (text, Vec::new())
        }
        Notice::ValueDue {
            plan,
            owner,
            measure,
            name,
            period,
            period_start,
            due,
        } => {
            let button = period_start
                .and_then(|start| super::corrections::record_button(o.plan_id, measure, start));
            let how = if button.is_some() {
                "with the button or `/measure record`"
            } else {
                "with `/measure record`"
            };
            (
                format!(
                    "**A value is due for {measure} {}** ({} plan), {}: the value for {period} was due by {} and is not recorded yet. Please record it {how} (or ask a plan admin to).",
                    quote(name),
                    quote(plan),
                    quote(owner),
                    date(*due)
                ),
                button
                    .map(|b| vec![CreateActionRow::Buttons(vec![b])])
                    .unwrap_or_default(),
            )
        }
        Notice::ReviewDue {
            plan,
            owner,
            risk,
            title,
            review_date,
            rating,
        } => {
            let button = super::risk_review::button(o.plan_id, risk);
            let how = if button.is_some() {
                format!("press Review {risk}, or use `/risk review`")
            } else {
                "use `/risk review`".to_string()
            };
            (
                format!(
                    "**Risk {risk} {} is due for review** ({} plan), {}: its review date was {} and it has not been reviewed since.{} Please review its likelihood and impact: {how}.",
                    quote(title),
                    quote(plan),
                    quote(owner),
                    date(*review_date),
                    rating
                        .as_ref()
                        .map(|r| format!(" Last rated {r}."))
                        .unwrap_or_default()
                ),
                button
                    .map(|b| vec![CreateActionRow::Buttons(vec![b])])
                    .unwrap_or_default(),
            )
        }
        Notice::Digest { plan, quarter, .. } => (
            format!("**Board digest for {}, {quarter}**", quote(plan)),
            Vec::new(),
        ),
    };
    if let Some((name, user, why)) = o.instead {
        let who = match user {
            Some(id) => {
                users.push(id);
                format!("<@{id}>")
            }
            None => format!("**{}**", quote(name)),
        };
        let reason = match why {
            "dm closed" => "I could not send this as a direct message (their DMs are closed)",
            _ => {
                "they have no Discord account linked; a plan admin can link one with `/people link`"
            }
        };
        text = format!("{who}: {reason}.\n{text}");
    }
    CreateMessage::new()
        .content(super::render::fit_message(&text))
        .components(rows)
        .allowed_mentions(
            CreateAllowedMentions::new()
                .users(users.into_iter().map(serenity::UserId::new))
                .roles(roles.into_iter().map(serenity::RoleId::new)),
        )
}
