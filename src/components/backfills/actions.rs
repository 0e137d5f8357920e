//! Pause, resume and cancel: each enabled only when the backend allows it now; the
//! answer (the backfill in its new state) replaces the shown state.

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
                on:click=move |_| act(action)
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
            <span class="action-note note-err" role="alert">{move || error.get()}</span>
        </div>
    }
}
