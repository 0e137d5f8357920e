//! The timeline: batches across concurrency slots, estimated time on the axis. Hovering
//! (or focusing) a bar shows its range and size.

use crate::present::{duration, timeline, Bar};
use crate::state::use_state;
use leptos::prelude::*;

const WIDTH: f64 = 1000.0;
const LANE_PX: f64 = 26.0;
const AXIS_PX: f64 = 24.0;

/// The timeline.
#[component]
pub fn Timeline() -> impl IntoView {
    let state = use_state();
    let model = Memo::new(move |_| {
        let planned = state.planned.get();
        let facts = state.facts.get();
        match (planned.0.plan.as_ref(), facts) {
            (Some(p), Some(f)) => timeline(p, &f),
            _ => crate::present::Timeline::default(),
        }
    });
    let hovered = RwSignal::new(None::<Bar>);
    let chart = move || {
        let m = model.get();
        if m.bars.is_empty() {
            return view! { <p class="empty">"No batches to draw."</p> }.into_any();
        }
        #[allow(clippy::cast_precision_loss)]
        let height = m.lanes as f64 * LANE_PX + AXIS_PX;
        let ticks = (0..=4)
            .map(|k| {
                let f = f64::from(k) / 4.0;
                #[allow(clippy::cast_possible_truncation)]
                let label = if m.total_secs > 0 {
                    duration((m.total_secs as f64 * f).round() as i64)
                } else {
                    format!("{}%", k * 25)
                };
                let x = (f * WIDTH).clamp(1.0, WIDTH - 1.0);
                let anchor = match k {
                    0 => "start",
                    4 => "end",
                    _ => "middle",
                };
                view! {
                    <line class="tick" x1=x x2=x y1=0 y2=height - AXIS_PX + 4.0></line>
                    <text class="tick-label" x=x y=height - 6.0 text-anchor=anchor>{label}</text>
                }
            })
            .collect_view();
        let bars = m
            .bars
            .into_iter()
            .map(|b| {
                let x = b.x0 * WIDTH;
                let w = ((b.x1 - b.x0) * WIDTH - 1.0).max(1.0);
                #[allow(clippy::cast_precision_loss)]
                let y = b.lane as f64 * LANE_PX + 3.0;
                let label = b.describe();
                let aria = label.clone();
                let (enter, focus) = (b.clone(), b.clone());
                view! {
                    <rect
                        class="bar"
                        data-testid="timeline-bar"
                        x=x
                        y=y
                        width=w
                        height=LANE_PX - 6.0
                        rx="3"
                        tabindex="0"
                        role="img"
                        aria-label=aria
                        on:mouseenter=move |_| hovered.set(Some(enter.clone()))
                        on:focus=move |_| hovered.set(Some(focus.clone()))
                    >
                        <title>{label}</title>
                    </rect>
                }
            })
            .collect_view();
        view! {
            <svg
                class="timeline-svg"
                viewBox=format!("0 0 {WIDTH} {height}")
                preserveAspectRatio="none"
                role="group"
                aria-label="Batches over estimated time, one lane per concurrency slot"
                style:height=format!("{height}px")
            >
                {ticks}
                {bars}
            </svg>
        }
        .into_any()
    };
    let note = move || {
        let m = model.get();
        let mut parts = vec![format!("{} lane(s)", m.lanes)];
        if m.slots_per_lane > 1 {
            parts.push(format!("{} slots per lane", m.slots_per_lane));
        }
        if m.waves_per_bar > 1 {
            parts.push(format!(
                "each bar is {} consecutive waves of its lane",
                m.waves_per_bar
            ));
        }
        if m.total_secs == 0 {
            parts.push("no estimate: the axis counts waves".to_owned());
        }
        parts.join(" · ")
    };
    view! {
        <section class="timeline" data-testid="timeline" aria-label="Timeline">
            <p class="timeline-note">{note}</p>
            {chart}
            <p class="timeline-hover" data-testid="timeline-hover" role="status">
                {move || hovered.get().map_or_else(|| "Hover or focus a bar to see its batches, runs and size.".to_owned(), |b| b.describe())}
            </p>
        </section>
    }
}
