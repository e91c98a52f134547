//! Small browser helpers: time, files, formatting.

use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Offers `bytes` to the user as a download named `filename`.
pub fn download(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: JsValue| format!("The browser refused the download: {e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let a: web_sys::HtmlAnchorElement = leptos::prelude::document().create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // Revoke later: the download may not have started yet.
    leptos::prelude::set_timeout(move || { let _ = web_sys::Url::revoke_object_url(&url); }, std::time::Duration::from_secs(30));
    Ok(())
}

/// Reads a picked file's bytes.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read: {e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A file name made from a workspace name: letters, digits and dashes.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() { "workspace".into() } else { stem.chars().take(60).collect() }
}

/// "just now", "5 min ago", "3 h ago", "2 d ago", or a date.
pub fn relative_time(then_ms: f64) -> String {
    if then_ms <= 0.0 {
        return "never".into();
    }
    let secs = ((js_sys::Date::now() - then_ms) / 1000.0).max(0.0);
    match secs as u64 {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", (secs / 60.0) as u64),
        3600..=86_399 => format!("{} h ago", (secs / 3600.0) as u64),
        86_400..=604_799 => format!("{} d ago", (secs / 86_400.0) as u64),
        _ => {
            let d = js_sys::Date::new(&JsValue::from_f64(then_ms));
            format!("{}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
        }
    }
}

/// Whether a key event comes from someone typing into a field (shortcuts stay out).
pub fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
}

/// Draws an SVG document onto a canvas at twice its size and returns it as PNG bytes.
pub async fn svg_to_png(svg: &str, width: f64, height: f64) -> Result<Vec<u8>, String> {
    let fail = |e: JsValue| format!("The picture could not be made: {e:?}");
    let img = web_sys::HtmlImageElement::new().map_err(fail)?;
    let encoded = String::from(js_sys::encode_uri_component(svg));
    img.set_src(&format!("data:image/svg+xml;charset=utf-8,{encoded}"));
    wasm_bindgen_futures::JsFuture::from(img.decode()).await.map_err(fail)?;
    let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document().create_element("canvas").map_err(fail)?.unchecked_into();
    canvas.set_width((width * 2.0).ceil() as u32);
    canvas.set_height((height * 2.0).ceil() as u32);
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").map_err(fail)?.ok_or("The browser has no 2D canvas.")?.dyn_into().map_err(|e| fail(e.into()))?;
    ctx.scale(2.0, 2.0).map_err(fail)?;
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0).map_err(fail)?;
    let url = canvas.to_data_url_with_type("image/png").map_err(fail)?;
    let base64 = url.split_once(',').map(|(_, b)| b).unwrap_or_default();
    let binary = leptos::prelude::window().atob(base64).map_err(fail)?;
    Ok(binary.chars().map(|c| c as u8).collect())
}

/// Resolves after `ms` milliseconds (for polling a condition with a deadline).
pub async fn delay(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the browser has drawn the next frame: after the next animation frame,
/// in a task of its own (so work awaited after it runs after that frame's paint).
pub async fn next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = leptos::prelude::window();
        let after_frame = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = window.request_animation_frame(after_frame.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `f` once the browser is idle (no input waiting, the frame drawn), or after
/// `at_most` if it never is; after `at_most` where the browser cannot say
/// (`requestIdleCallback` is missing in some browsers).
pub fn when_idle(f: impl FnOnce() + 'static, at_most: std::time::Duration) {
    let window = leptos::prelude::window();
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback")).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(request) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &JsValue::from_str("timeout"), &JsValue::from_f64(at_most.as_millis() as f64));
            let _ = request.call2(&window, &callback, &options);
        }
        None => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), at_most.as_millis() as i32);
        }
    }
}

/// Today, in the browser's time zone.
pub fn today() -> waymark_domain::Date {
    let now = js_sys::Date::new_0();
    waymark_domain::Date::new(now.get_full_year() as u16, now.get_month() as u8 + 1, now.get_date() as u8)
        .unwrap_or_else(|| waymark_domain::Date::parse("2026-01-01").expect("a date"))
}

/// Whether the screen is in the dark theme.
pub fn prefers_dark() -> bool {
    leptos::prelude::window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}

/// The Web Locks API (`navigator.locks`), where the browser has it.
fn lock_manager() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"locks".into()).ok().filter(|l| l.is_object())
}

/// Holds the Web Lock `name` for as long as this page lives: other pages see it held
/// ([`held_locks`]) until this one closes, however it closes.
pub fn hold_lock(name: &str) {
    let Some(locks) = lock_manager() else { return };
    let Ok(request) = js_sys::Reflect::get(&locks, &"request".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) else { return };
    // The lock is released when the promise its callback returns settles: never.
    let forever = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(|_| js_sys::Promise::new(&mut |_, _| {}));
    let _ = request.call2(&locks, &name.into(), forever.as_ref().unchecked_ref());
    forever.forget();
}

/// The names of the Web Locks held by any page of this origin; `None` where the
/// browser has no Web Locks.
pub async fn held_locks() -> Option<Vec<String>> {
    let locks = lock_manager()?;
    let query = js_sys::Reflect::get(&locks, &"query".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let promise = query.call0(&locks).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let snapshot = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let held = js_sys::Reflect::get(&snapshot, &"held".into()).ok()?;
    Some(js_sys::Array::from(&held).iter().filter_map(|l| js_sys::Reflect::get(&l, &"name".into()).ok()?.as_string()).collect())
}
