//! The examples menu: each seed example loads with one click.

use crate::examples::EXAMPLES;
use crate::state::use_state;
use leptos::prelude::*;

/// A row of example buttons.
#[component]
pub fn ExamplesMenu() -> impl IntoView {
    let state = use_state();
    view! {
        <nav class="examples" aria-label="Examples">
            <span class="examples-label">"Examples"</span>
            {EXAMPLES
                .iter()
                .map(|ex| {
                    let text = ex.text;
                    let window = ex.window;
                    view! {
                        <button
                            type="button"
                            class="chip"
                            data-testid=format!("example-{}", ex.id)
                            on:click=move |_| {
                                state.engine.set(None);
                                state.dialect.set(None);
                                let (a, b) = window.unwrap_or_default();
                                state.window.set((a.to_owned(), b.to_owned()));
                                state.load(text.to_owned());
                            }
                        >
                            {ex.label}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
