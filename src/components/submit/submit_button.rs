//! The submit button: sends the previewed plan; disabled while a request is in flight
//! or when there is no plan.

use crate::state::{use_settings, use_state, use_submission, Phase};
use leptos::prelude::*;

/// Submit the plan to the backend.
#[component]
pub fn SubmitButton() -> impl IntoView {
    let state = use_state();
    let settings = use_settings();
    let submission = use_submission();
    let sending = move || submission.phase.with(|p| matches!(p, Phase::Sending));
    let has_plan = move || state.planned.with(|p| p.0.plan.is_some());
    view! {
        <button
            type="button"
            class="primary"
            data-testid="submit"
            disabled=move || sending() || !has_plan()
            aria-busy=move || sending().to_string()
            on:click=move |_| submission.submit(state, settings)
        >
            {move || if sending() { "Submitting…" } else { "Submit backfill" }}
        </button>
    }
}
