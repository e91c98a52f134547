//! What the worker's own tasks need, in a worker or (for the wasm tests) on the page:
//! posting a reply when it is ready rather than as its request is read, and timers on
//! whatever global scope runs them (a worker has no `window`).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::Reply;

/// Posts one reply to request `id` (with its payload, if any).
pub type Poster = Rc<dyn Fn(u32, &Reply, Option<&[u8]>)>;

thread_local! {
    static POSTER: RefCell<Option<Poster>> = const { RefCell::new(None) };
}

/// Says how replies reach the page (set once, when the worker starts).
pub fn set_poster(poster: Poster) {
    POSTER.with(|p| *p.borrow_mut() = Some(poster));
}

/// Posts a reply to request `id` now: a late answer, or an event on a stream.
pub fn post(id: u32, reply: &Reply, payload: Option<&[u8]>) {
    if let Some(poster) = POSTER.with(|p| p.borrow().clone()) {
        poster(id, reply, payload);
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_js(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout_js(handle: &JsValue);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval_js(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval_js(handle: &JsValue);
}

/// A timer on the global scope; dropping it cancels it.
pub struct Timer {
    handle: JsValue,
    repeats: bool,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `f` once after `ms`.
    pub fn once(ms: u32, f: impl FnOnce() + 'static) -> Timer {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f()
            }
        });
        let handle = set_timeout_js(callback.as_ref().unchecked_ref(), ms as i32);
        Timer { handle, repeats: false, _callback: callback }
    }

    /// Runs `f` every `ms`.
    pub fn every(ms: u32, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let handle = set_interval_js(callback.as_ref().unchecked_ref(), ms as i32);
        Timer { handle, repeats: true, _callback: callback }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if self.repeats {
            clear_interval_js(&self.handle)
        } else {
            clear_timeout_js(&self.handle)
        }
    }
}

/// Calls `f` whenever the browser goes back online, until the listener is dropped.
pub struct OnOnline {
    callback: Closure<dyn FnMut()>,
}

impl OnOnline {
    pub fn listen(f: impl FnMut() + 'static) -> OnOnline {
        let callback = Closure::<dyn FnMut()>::new(f);
        let _ = global().add_event_listener_with_callback("online", callback.as_ref().unchecked_ref());
        OnOnline { callback }
    }
}

impl Drop for OnOnline {
    fn drop(&mut self) {
        let _ = global().remove_event_listener_with_callback("online", self.callback.as_ref().unchecked_ref());
    }
}

fn global() -> web_sys::EventTarget {
    js_sys::global().unchecked_into()
}
