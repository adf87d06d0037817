//! Who may do what: leads change their own actions, plan admins any action,
//! secretaries (and admins) read digests.

use super::Action;

/// Someone asking planbot to do something, as far as permissions go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The person this user is linked to, if any.
    pub person: Option<String>,
    pub is_admin: bool,
    pub is_secretary: bool,
}

impl Actor {
    pub fn leads(&self, action: &Action) -> bool {
        self.person
            .as_deref()
            .is_some_and(|me| action.leads.iter().any(|l| l.eq_ignore_ascii_case(me)))
    }

    pub fn may_update(&self, action: &Action) -> bool {
        self.is_admin || self.leads(action)
    }

    /// Owners of a measure or risk, and plan admins, may record its values
    /// and reviews.
    pub fn may_record(&self, owners: &[String]) -> bool {
        self.is_admin
            || self
                .person
                .as_deref()
                .is_some_and(|me| owners.iter().any(|o| o.eq_ignore_ascii_case(me)))
    }

    pub fn may_read_digests(&self) -> bool {
        self.is_admin || self.is_secretary
    }
}
