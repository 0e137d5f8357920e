//! The operator state of a stored backfill, and the actions that change it.
//!
//! The backend stores plans and tracks what an operator decided about them; it does not
//! launch runs itself (an orchestrator adapter would read `pending` backfills). So the
//! states say what the operator wants, not what an engine is doing:
//!
//! | state       | meaning                                     | pause  | resume  | cancel    |
//! |-------------|---------------------------------------------|--------|---------|-----------|
//! | `pending`   | submitted, checked, waiting to be handed on | paused | —       | cancelled |
//! | `paused`    | held by an operator                         | —      | pending | cancelled |
//! | `cancelled` | withdrawn; terminal                         | —      | —       | —         |
//!
//! Every "—" is answered with 409 and the current state. Asking for the state a backfill
//! is already in (pausing a paused one) is a "—" too: the answer says so, and nothing
//! changes.

use serde::Serialize;
use std::fmt;

/// Where a backfill is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Submitted and checked; waiting to be handed on.
    Pending,
    /// Held by an operator.
    Paused,
    /// Withdrawn. Terminal.
    Cancelled,
}

/// What an operator can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Hold a pending backfill.
    Pause,
    /// Release a paused backfill.
    Resume,
    /// Withdraw a backfill that is not cancelled yet.
    Cancel,
}

impl Status {
    /// Every state, in the order of the table above.
    pub const ALL: [Status; 3] = [Status::Pending, Status::Paused, Status::Cancelled];

    /// The name stored and sent.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Paused => "paused",
            Status::Cancelled => "cancelled",
        }
    }

    /// The state called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The state `action` leads to from this one, if it is allowed.
    #[must_use]
    pub fn after(self, action: Action) -> Option<Status> {
        match (self, action) {
            (Status::Pending, Action::Pause) => Some(Status::Paused),
            (Status::Paused, Action::Resume) => Some(Status::Pending),
            (Status::Pending | Status::Paused, Action::Cancel) => Some(Status::Cancelled),
            (Status::Pending, Action::Resume)
            | (Status::Paused, Action::Pause)
            | (Status::Cancelled, _) => None,
        }
    }

    /// The actions allowed from this state.
    #[must_use]
    pub fn allowed_actions(self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.after(*a).is_some())
            .collect()
    }
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 3] = [Action::Pause, Action::Resume, Action::Cancel];

    /// The name in the URL (`/pause`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Cancel => "cancel",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_in_the_module_docs_holds() {
        use Action::{Cancel, Pause, Resume};
        use Status::{Cancelled, Paused, Pending};
        let table = [
            (Pending, [Some(Paused), None, Some(Cancelled)]),
            (Paused, [None, Some(Pending), Some(Cancelled)]),
            (Cancelled, [None, None, None]),
        ];
        for (from, to) in table {
            for (action, want) in [Pause, Resume, Cancel].into_iter().zip(to) {
                assert_eq!(from.after(action), want, "{from} --{action}-->");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.name()), Some(s));
        }
        assert_eq!(Status::parse("running"), None);
    }

    #[test]
    fn cancelled_is_terminal() {
        assert!(Status::Cancelled.allowed_actions().is_empty());
        for s in Status::ALL {
            for a in Action::ALL {
                assert_ne!(s.after(a), Some(s), "{a} from {s} would change nothing");
            }
        }
    }
}
