//! Every diagnostic of the input as a list; clicking one moves the editor's cursor to it.

use crate::components::editor::text_editor::LINE_PX;
use crate::state::{use_state, AppState};
use backfill_core::Span;
use leptos::prelude::*;

/// Select `span` in the editor and scroll it into view.
pub fn go_to(state: AppState, span: Span) {
    let Some(ta) = state.editor.get_untracked() else {
        return;
    };
    let text = ta.value();
    let utf16 = |byte: usize| {
        let mut b = byte.min(text.len());
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        u32::try_from(text[..b].encode_utf16().count()).unwrap_or(u32::MAX)
    };
    let _ = ta.focus();
    let _ = ta.set_selection_range(utf16(span.start), utf16(span.end));
    let top = (f64::from(span.line) - 1.0) * LINE_PX - f64::from(ta.client_height()) / 3.0;
    #[allow(clippy::cast_possible_truncation)]
    ta.set_scroll_top(top.max(0.0) as i32);
}

/// The diagnostics list.
#[component]
pub fn DiagnosticsList() -> impl IntoView {
    let state = use_state();
    let items = move || {
        let planned = state.planned.get();
        if planned.0.diagnostics.is_empty() {
            return view! { <li class="diag-none">"No problems found."</li> }.into_any();
        }
        planned
            .0
            .diagnostics
            .iter()
            .map(|d| {
                let span = d.span;
                let at = span.map_or_else(String::new, |s| format!("{}:{}", s.line, s.column));
                let help = d.help.clone();
                view! {
                    <li class=format!("diag diag-{}", d.severity)>
                        <button
                            type="button"
                            data-testid="diagnostic"
                            data-code=d.code.clone()
                            data-line=span.map(|s| s.line)
                            disabled=span.is_none()
                            on:click=move |_| {
                                if let Some(s) = span {
                                    go_to(state, s);
                                }
                            }
                        >
                            <span class="diag-sev">{d.severity.to_string()}</span>
                            <span class="diag-code" title=backfill_core::codes::meaning(&d.code).unwrap_or("")>{d.code.clone()}</span>
                            <span class="diag-at">{at}</span>
                            <span class="diag-msg">{d.message.clone()}</span>
                        </button>
                        {help.map(|h| view! { <p class="diag-help">{h}</p> })}
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="diagnostics" aria-labelledby="diagnostics-heading">
            <h2 id="diagnostics-heading" class="visually-hidden">"Diagnostics"</h2>
            <ul data-testid="diagnostics" aria-live="polite">{items}</ul>
        </section>
    }
}
