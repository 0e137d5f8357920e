//! Backfill Planner's web app: a Leptos single-page app, rendered in the browser.
//! All planning runs here, through the core; the backend is only asked about its health.

mod api;
mod app;
mod components;
mod examples;
mod present;
mod state;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
