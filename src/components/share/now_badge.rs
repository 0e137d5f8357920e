//! Shows the "now" open windows are planned up to, where it came from, and a way to use
//! the current time instead.

use crate::state::{use_state, NowSource};
use leptos::prelude::*;

/// "Now: … (kept from the link)".
#[component]
pub fn NowBadge() -> impl IntoView {
    let state = use_state();
    let origin = move || match state.now_source.get() {
        NowSource::Clock => "this browser's clock",
        NowSource::Link => "kept from the link",
        NowSource::Draft => "kept from your draft",
    };
    view! {
        <p class="now" title="Open windows end at this time; a link or a draft keeps it, so the plan is the same.">
            <span>"Now "</span>
            <time data-testid="now">{move || state.now.get().to_string()}</time>
            <span class="now-source" data-testid="now-source">{move || format!(" ({})", origin())}</span>
            {move || {
                (state.now_source.get() != NowSource::Clock)
                    .then(|| {
                        view! {
                            <button type="button" class="link" data-testid="now-reset" on:click=move |_| state.use_current_time()>
                                "Use the current time"
                            </button>
                        }
                    })
            }}
        </p>
    }
}
