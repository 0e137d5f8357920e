//! The settings panel: the backend's endpoint and the token for writes, kept in local
//! storage (never in a link).

use crate::persist;
use crate::state::use_settings;
use leptos::html;
use leptos::prelude::*;

/// A "Settings" toggle and its panel.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let settings = use_settings();
    let token_input = NodeRef::<html::Input>::new();
    let root = NodeRef::<html::Div>::new();
    // Esc, or a press anywhere outside the panel and its toggle, closes it.
    let _ = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && settings.open.get_untracked() {
            settings.open.set(false);
        }
    });
    let _ = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if !settings.open.get_untracked() {
            return;
        }
        let inside = match (root.get_untracked(), ev.target()) {
            (Some(r), Some(t)) => {
                use wasm_bindgen::JsCast;
                t.dyn_ref::<web_sys::Node>()
                    .is_some_and(|n| r.contains(Some(n)))
            }
            _ => false,
        };
        if !inside {
            settings.open.set(false);
        }
    });
    // Opened by a 401 too: put the cursor in the token field.
    Effect::new(move |_| {
        if settings.open.get() {
            if let Some(input) = token_input.get() {
                let _ = input.focus();
            }
        }
    });
    view! {
        <div class="settings" node_ref=root>
            <button
                type="button"
                class="quiet"
                data-testid="settings"
                aria-expanded=move || settings.open.get().to_string()
                aria-controls="settings-panel"
                on:click=move |_| settings.open.update(|o| *o = !*o)
            >
                "Settings"
            </button>
            <div id="settings-panel" class="settings-panel" class:hidden=move || !settings.open.get() data-testid="settings-panel">
                <label>
                    <span>"Backend endpoint"</span>
                    <input
                        type="url"
                        data-testid="settings-endpoint"
                        placeholder="same origin as this page"
                        prop:value=move || settings.endpoint.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            persist::save_endpoint(&v);
                            settings.endpoint.set(v);
                        }
                    />
                </label>
                <label>
                    <span>"Token (for writes)"</span>
                    <input
                        type="password"
                        autocomplete="off"
                        data-testid="settings-token"
                        node_ref=token_input
                        prop:value=move || settings.token.get()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            persist::save_token(&v);
                            settings.token.set(v);
                        }
                    />
                </label>
                <p class="settings-help">"Kept in this browser only; never put in a shared link."</p>
                <button type="button" class="quiet" on:click=move |_| settings.open.set(false)>"Close"</button>
            </div>
        </div>
    }
}
