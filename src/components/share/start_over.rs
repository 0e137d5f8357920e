//! Start over: clear the text and the draft, after a confirmation.

use crate::browser;
use crate::state::use_state;
use leptos::prelude::*;

/// The "Start over" button.
#[component]
pub fn StartOver() -> impl IntoView {
    let state = use_state();
    let start_over = move |_| {
        if browser::confirm("Start over? This clears the editor and the kept draft.") {
            state.start_over();
        }
    };
    view! {
        <button type="button" class="quiet" data-testid="start-over" on:click=start_over>
            "Start over"
        </button>
    }
}
