//! The page's few routes, without a router crate: the address bar's path and query as a
//! signal, `history.pushState` for in-app links, and `popstate` for back and forward.
//! Deep links work because the backend answers every page path with `index.html`.

use leptos::prelude::*;

/// Which page the path shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`: the planner.
    Planner,
    /// `/backfills`: the submitted backfills.
    List,
    /// `/backfills/:id`: one backfill.
    Detail,
    /// Anything else.
    NotFound,
}

/// The address bar: its path and its query (`?…`, or empty).
#[derive(Debug, Clone, Copy)]
pub struct Location(RwSignal<(String, String)>);

fn current() -> (String, String) {
    let l = window().location();
    (
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default(),
    )
}

/// Read the address bar, follow back and forward, and share the location.
pub fn provide_location() -> Location {
    let loc = Location(RwSignal::new(current()));
    // The app lives as long as the page: the listener is never removed.
    // A fragment change (`#main`) is a history entry too: only a new path or query counts.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let now = current();
        if loc.0.with_untracked(|l| *l != now) {
            loc.0.set(now);
        }
    });
    provide_context(loc);
    loc
}

/// The shared location.
#[must_use]
pub fn use_location() -> Location {
    expect_context()
}

impl Location {
    /// The path (`/backfills/…`).
    #[must_use]
    pub fn path(self) -> String {
        self.0.with(|l| l.0.clone())
    }

    /// The page the path shows.
    #[must_use]
    pub fn page(self) -> Page {
        self.0.with(|l| match l.0.trim_end_matches('/') {
            "" => Page::Planner,
            "/backfills" => Page::List,
            p => match p.strip_prefix("/backfills/") {
                Some(id) if !id.is_empty() && !id.contains('/') => Page::Detail,
                _ => Page::NotFound,
            },
        })
    }

    /// The last segment of the path: `/backfills/:id`'s id.
    #[must_use]
    pub fn id(self) -> String {
        self.0.with(|l| {
            let seg = l.0.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            decode(seg)
        })
    }

    /// The query parameter `key`, if present.
    #[must_use]
    pub fn query(self, key: &str) -> Option<String> {
        self.0.with(|l| {
            l.1.trim_start_matches('?').split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode(k) == key).then(|| decode(v))
            })
        })
    }

    /// Go to `href` (a path with its query) with a new history entry.
    pub fn navigate(self, href: &str) {
        let w = window();
        if let Ok(history) = w.history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.0.set(current());
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    js_sys::decode_uri_component(&s).map_or(s, String::from)
}

/// An in-app link: followed without reloading the page; `aria-current="page"` while its
/// page is shown (`exact`: only its own path, else its path and those under it).
#[component]
pub fn A(
    #[prop(into)] href: String,
    #[prop(optional)] exact: bool,
    children: Children,
) -> impl IntoView {
    let loc = use_location();
    let target = href.clone();
    let current = move || {
        let path = loc.path();
        let here = target.split('?').next().unwrap_or("").trim_end_matches('/');
        let path = path.trim_end_matches('/');
        let on = path == here
            || (!exact && path.starts_with(here) && path[here.len()..].starts_with('/'));
        on.then_some("page")
    };
    let to = href.clone();
    view! {
        <a
            href=href
            aria-current=current
            on:click=move |ev: leptos::ev::MouseEvent| {
                if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
                    return;
                }
                ev.prevent_default();
                loc.navigate(&to);
            }
        >
            {children()}
        </a>
    }
}
