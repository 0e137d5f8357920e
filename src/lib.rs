//! Backfill Planner's web app: a Leptos single-page app, rendered in the browser.
//! All planning runs here, through the core; the backend stores what is submitted.
//!
//! A library, so the pure presentation code ([`present`]) has unit tests run natively;
//! the binary (`main.rs`, what trunk builds) only mounts [`app::App`].

mod api;
pub mod app;
mod browser;
mod components;
mod examples;
mod persist;
pub mod present;
mod route;
mod state;

/// Mount the app on the page's body.
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
