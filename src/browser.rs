//! The few browser services the page uses besides HTTP: downloads, the clipboard, a
//! confirmation, and the address bar.

use wasm_bindgen::JsValue;

/// Offer `text` as a download called `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser refused to make the file".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused to make the file".to_owned())?;
    let anchor: web_sys::HtmlAnchorElement = leptos::prelude::document()
        .create_element("a")
        .map_err(|_| "no link".to_owned())
        .and_then(|a| wasm_bindgen::JsCast::dyn_into(a).map_err(|_| "no link".to_owned()))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Put `text` on the clipboard.
pub async fn copy(text: &str) -> Result<(), String> {
    let clipboard = leptos::prelude::window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying; select the text and copy it".to_owned())
}

/// Ask the user to confirm `question`.
#[must_use]
pub fn confirm(question: &str) -> bool {
    leptos::prelude::window()
        .confirm_with_message(question)
        .unwrap_or(false)
}

/// The page's origin (`http://host:port`).
#[must_use]
pub fn origin() -> String {
    leptos::prelude::window()
        .location()
        .origin()
        .unwrap_or_default()
}

/// Show `fragment` (`#…`, or empty) in the address bar without a new history entry.
pub fn replace_fragment(fragment: &str) {
    let window = leptos::prelude::window();
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    if location.hash().unwrap_or_default() == fragment {
        return;
    }
    if let Ok(history) = window.history() {
        let url = format!("{path}{search}{fragment}");
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}
