//! The text editor: a text area over a highlight layer that underlines each diagnostic's
//! span, with line numbers in a gutter. The text area is the source of truth; the layer
//! only draws underlines (its text is transparent), so typing never waits for planning.

use crate::present::{underline, Piece};
use crate::state::use_state;
use leptos::html;
use leptos::prelude::*;

/// Line height of the editor in pixels (the CSS uses the same value).
pub const LINE_PX: f64 = 20.0;

/// The editor.
#[component]
pub fn Editor() -> impl IntoView {
    let state = use_state();
    let gutter = NodeRef::<html::Pre>::new();
    let layer = NodeRef::<html::Pre>::new();
    let line_numbers = Memo::new(move |_| {
        let lines = state.text.with(|t| t.split('\n').count());
        let mut s = String::with_capacity(lines * 4);
        for i in 1..=lines {
            s.push_str(&i.to_string());
            s.push('\n');
        }
        s
    });
    let pieces = move || {
        let planned = state.planned.get();
        let server = state.server_diagnostics.get();
        state.planned_text.with(|t| {
            if server.is_empty() {
                underline(t, &planned.0.diagnostics)
            } else {
                let mut all = planned.0.diagnostics.clone();
                all.extend(server);
                underline(t, &all)
            }
        })
    };
    let sync_scroll = move |_| {
        let Some(ta) = state.editor.get() else { return };
        if let Some(l) = layer.get() {
            l.set_scroll_top(ta.scroll_top());
            l.set_scroll_left(ta.scroll_left());
        }
        if let Some(g) = gutter.get() {
            g.set_scroll_top(ta.scroll_top());
        }
    };
    view! {
        <div class="editor">
            <pre class="gutter" aria-hidden="true" node_ref=gutter>{line_numbers}</pre>
            <div class="editor-body">
                <pre class="highlight" aria-hidden="true" node_ref=layer>
                    {move || {
                        pieces()
                            .into_iter()
                            .map(|p| match p {
                                Piece::Plain(t) => t.into_any(),
                                Piece::Marked { text, severity, line, title } => {
                                    view! {
                                        <mark
                                            class=format!("u u-{severity}")
                                            data-testid="underline"
                                            data-line=line
                                            title=title
                                        >
                                            {text}
                                        </mark>
                                    }
                                        .into_any()
                                }
                            })
                            .collect_view()
                    }}
                    "\n "
                </pre>
                <textarea
                    id="editor"
                    data-testid="editor"
                    node_ref=state.editor
                    aria-label="Input: a planner spec, or an orchestrator's YAML or JSON"
                    aria-describedby="diagnostics-heading"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    prop:value=move || state.text.get()
                    on:input=move |ev| state.edit(event_target_value(&ev))
                    on:scroll=sync_scroll
                ></textarea>
            </div>
        </div>
    }
}
