//! Backfill Planner's web app: a Leptos single-page app, rendered in the browser.

mod api;
mod app;
mod components;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
