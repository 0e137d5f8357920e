//! Keeps the planner's state: after each re-plan (and each change of a picker or a
//! view) the address bar carries the state as a link and local storage keeps it as the
//! draft, so a reload or a copied address restores it.

use crate::browser;
use crate::persist;
use crate::state::use_state;
use leptos::prelude::*;

/// Renders nothing; lives as long as the planning page.
#[component]
pub fn KeepState() -> impl IntoView {
    let state = use_state();
    Effect::new(move |_| {
        let saved = state.snapshot();
        persist::save_draft(&saved);
        browser::replace_fragment(&persist::to_fragment(&saved));
    });
}
