//! The share button: copies a link that restores the whole state, and shows it.

use crate::browser;
use crate::persist;
use crate::state::use_state;
use leptos::prelude::*;

/// Share the state as a link.
#[component]
pub fn ShareButton() -> impl IntoView {
    let state = use_state();
    let link = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<(bool, String)>);
    let share = move |_| {
        let url = format!(
            "{}/{}",
            browser::origin(),
            persist::to_fragment(&state.snapshot_untracked())
        );
        link.set(Some(url.clone()));
        leptos::task::spawn_local(async move {
            note.set(Some(match browser::copy(&url).await {
                Ok(()) => (true, "Link copied.".to_owned()),
                Err(e) => (false, e),
            }));
        });
    };
    view! {
        <div class="share">
            <button type="button" data-testid="share" on:click=share>"Share link"</button>
            {move || {
                link.get()
                    .map(|url| {
                        view! {
                            <input
                                class="share-link"
                                data-testid="share-link"
                                aria-label="Link to this plan"
                                readonly
                                prop:value=url
                                on:focus=move |ev| {
                                    let input: web_sys::HtmlInputElement = event_target(&ev);
                                    input.select();
                                }
                            />
                        }
                    })
            }}
            <span class="action-note" role="status" aria-live="polite">
                {move || note.get().map(|(ok, m)| view! { <span class:note-ok=ok class:note-err=!ok>{m}</span> })}
            </span>
        </div>
    }
}
