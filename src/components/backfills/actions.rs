//! Pause, resume and cancel: each enabled only when the backend allows it now; the
//! answer (the backfill in its new state) replaces the shown state. Cancelling cannot be
//! undone, so it asks first, saying what it stops.

use crate::api::{self, BackfillItem, Failure};
use crate::state::use_settings;
use leptos::prelude::*;

/// The three actions for backfill `item`; `changed` receives the new state.
#[component]
pub fn Actions(
    item: Signal<BackfillItem>,
    changed: WriteSignal<Option<BackfillItem>>,
) -> impl IntoView {
    let settings = use_settings();
    let busy = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<String>);
    // Cancel asks first; Esc or "Keep it" leaves everything as it is.
    let confirming = RwSignal::new(false);
    let act = move |action: &'static str| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(action));
        error.set(None);
        let id = item.get_untracked().id;
        let backend = settings.backend();
        leptos::task::spawn_local(async move {
            match api::transition(&backend, &id, action).await {
                Ok(next) => changed.set(Some(next)),
                Err(Failure::Api(e)) if e.status == 401 => {
                    settings.open.set(true);
                    error.set(Some(
                        "The backend needs a token: enter it in Settings.".to_owned(),
                    ));
                }
                Err(e) => error.set(Some(format!("Could not {action}: {e}"))),
            }
            busy.set(None);
        });
    };
    let button = move |action: &'static str, label: &'static str, going: &'static str| {
        let allowed = move || item.with(|i| i.allowed_actions.iter().any(|a| a == action));
        view! {
            <button
                type="button"
                class=if action == "cancel" { "danger" } else { "" }
                data-testid=action
                disabled=move || !allowed() || busy.get().is_some()
                title=move || if allowed() { String::new() } else { format!("Not possible while {}", item.with(|i| i.status.clone())) }
                on:click=move |_| if action == "cancel" { confirming.set(true) } else { act(action) }
            >
                {move || if busy.get() == Some(action) { going } else { label }}
            </button>
        }
    };
    view! {
        <div class="actions" role="group" aria-label="Actions">
            {button("pause", "Pause", "Pausing…")}
            {button("resume", "Resume", "Resuming…")}
            {button("cancel", "Cancel backfill", "Cancelling…")}
            {move || confirming.get().then(|| {
                let (runs, batches) = item.with(|i| (i.run_count, i.batch_count));
                view! {
                    <div
                        class="confirm"
                        role="alertdialog"
                        aria-label="Confirm cancel"
                        data-testid="confirm"
                        on:keydown=move |ev| if ev.key() == "Escape" { confirming.set(false) }
                    >
                        <span data-testid="confirm-text">
                            {format!(
                                "Cancel {} in {}? A cancelled backfill cannot be resumed.",
                                count(runs, "run"),
                                count(batches, "batch")
                            )}
                        </span>
                        <button
                            type="button"
                            class="danger"
                            data-testid="confirm-cancel"
                            on:click=move |_| {
                                confirming.set(false);
                                act("cancel");
                            }
                        >
                            "Yes, cancel"
                        </button>
                        <button
                            type="button"
                            data-testid="keep"
                            autofocus=true
                            on:click=move |_| confirming.set(false)
                        >
                            "Keep it"
                        </button>
                    </div>
                }
            })}
            <span class="action-note note-err" role="alert">{move || error.get()}</span>
        </div>
    }
}

/// `n` things, with digit groups: `1,095 runs`, `1 batch`.
fn count(n: u64, what: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let plural = match (n, what) {
        (1, _) => what.to_owned(),
        (_, "batch") => "batches".to_owned(),
        _ => format!("{what}s"),
    };
    format!("{grouped} {plural}")
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_read_as_a_person_says_them() {
        assert_eq!(count(1095, "run"), "1,095 runs");
        assert_eq!(count(37, "batch"), "37 batches");
        assert_eq!(count(1, "batch"), "1 batch");
        assert_eq!(count(1_000_000, "run"), "1,000,000 runs");
    }
}
