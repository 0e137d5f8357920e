//! A virtualised list of fixed-height rows: a spacer as tall as every row, and only the
//! rows in view (plus a few) in the DOM, placed where they belong.

use leptos::html;
use leptos::prelude::*;

/// Row height in pixels (the CSS uses the same value).
pub const ROW_PX: f64 = 28.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: u64 = 6;

/// A scroll container over `count` rows; `render(from, to)` draws rows `from..to`.
/// Setting `scroll_to` scrolls to that row.
#[component]
pub fn VirtualRows<R, V>(
    /// How many rows.
    #[prop(into)]
    count: Signal<u64>,
    /// Draws rows `from..to`.
    render: R,
    /// The header row.
    header: V,
    /// A row to scroll to.
    #[prop(into)]
    scroll_to: Signal<Option<u64>>,
    /// The CSS grid columns (a custom property on the container).
    #[prop(into)]
    columns: Signal<String>,
    /// `data-testid` of the container.
    testid: &'static str,
    /// The accessible name of the table.
    label: &'static str,
) -> impl IntoView
where
    R: Fn(u64, u64) -> AnyView + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let scroller = NodeRef::<html::Div>::new();
    let top = RwSignal::new(0.0f64);
    let height = RwSignal::new(600.0f64);
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            height.set(f64::from(el.client_height()));
        }
    });
    Effect::new(move |_| {
        if let (Some(i), Some(el)) = (scroll_to.get(), scroller.get()) {
            #[allow(clippy::cast_precision_loss)]
            let y = (i as f64 * ROW_PX - f64::from(el.client_height()) / 3.0).max(0.0);
            #[allow(clippy::cast_possible_truncation)]
            el.set_scroll_top(y as i32);
            top.set(y);
        }
    });
    // A new plan may be shorter: clamp the window to it.
    let window = move || {
        let n = count.get();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let first = (top.get() / ROW_PX).floor().max(0.0) as u64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let visible = (height.get() / ROW_PX).ceil().max(1.0) as u64;
        let from = first.saturating_sub(OVERSCAN).min(n);
        let to = (first + visible + OVERSCAN).min(n);
        (from, to)
    };
    #[allow(clippy::cast_precision_loss)]
    let body_height = move || format!("{}px", count.get() as f64 * ROW_PX);
    view! {
        <div
            class="vrows"
            role="table"
            aria-label=label
            aria-rowcount=move || count.get() + 1
            data-testid=testid
            tabindex="0"
            node_ref=scroller
            style:--cols=move || columns.get()
            on:scroll=move |_| {
                if let Some(el) = scroller.get() {
                    top.set(f64::from(el.scroll_top()));
                    height.set(f64::from(el.client_height()));
                }
            }
        >
            <div class="vrow vhead" role="row" aria-rowindex="1">{header}</div>
            <div class="vbody" style:height=body_height>
                {move || {
                    let (from, to) = window();
                    #[allow(clippy::cast_precision_loss)]
                    let y = from as f64 * ROW_PX;
                    view! {
                        <div class="vwindow" style:transform=format!("translateY({y}px)")>
                            {render(from, to)}
                        </div>
                    }
                }}
            </div>
        </div>
    }
}
