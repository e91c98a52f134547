//! A thin async layer over the browser's IndexedDB: open, and await requests and
//! transactions. Everything Waymark-specific lives in [`super::Store`].

use js_sys::{Function, Promise};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

/// Something IndexedDB refused, in words a person can act on.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsValue> for StorageError {
    fn from(v: JsValue) -> Self {
        if let Some(e) = v.dyn_ref::<web_sys::DomException>() {
            let hint = match e.name().as_str() {
                "QuotaExceededError" => " (the browser's storage for this site is full)",
                "InvalidStateError" => " (the browser may be in a private mode that blocks storage)",
                _ => "",
            };
            return StorageError(format!("{}: {}{hint}", e.name(), e.message()));
        }
        StorageError(v.as_string().unwrap_or_else(|| format!("{v:?}")))
    }
}

pub type Result<T> = std::result::Result<T, StorageError>;

/// Opens (and if needed creates or upgrades) a database; `upgrade` runs inside the
/// version-change transaction with the database and the old version.
pub async fn open(name: &str, version: u32, upgrade: impl Fn(&IdbDatabase, u32) + 'static) -> Result<IdbDatabase> {
    // The page's `window` or the document worker's scope: both offer `indexedDB`.
    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| StorageError("this browser offers no IndexedDB storage".into()))?;
    let request: IdbOpenDbRequest = factory.open_with_u32(name, version)?;
    let on_upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new({
        let request = request.clone();
        move |event: web_sys::IdbVersionChangeEvent| {
            if let Ok(db) = request.result() {
                upgrade(db.unchecked_ref(), event.old_version() as u32);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let result = request_done(&request).await;
    drop(on_upgrade);
    Ok(result?.unchecked_into())
}

/// A promise and its resolve/reject functions, so event handlers can settle it.
fn deferred() -> (Promise, Function, Function) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.expect("the Promise executor runs synchronously");
    (promise, resolve, reject)
}

/// Resolves with a request's result once it succeeds.
pub async fn request_done(request: &IdbRequest) -> Result<JsValue> {
    let (promise, resolve, reject) = deferred();
    let ok = Closure::<dyn FnMut()>::new({
        let request = request.clone();
        move || {
            let _ = resolve.call1(&JsValue::NULL, &request.result().unwrap_or(JsValue::UNDEFINED));
        }
    });
    let fail = Closure::<dyn FnMut()>::new({
        let request = request.clone();
        move || {
            let error = request.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    });
    request.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    request.set_onerror(Some(fail.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await;
    // The handlers are dropped here; detach them first so a late event finds nothing.
    request.set_onsuccess(None);
    request.set_onerror(None);
    Ok(result?)
}

/// Resolves once a transaction has committed (its writes are durable).
pub async fn transaction_done(tx: &IdbTransaction) -> Result<()> {
    let (promise, resolve, reject) = deferred();
    let ok = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call0(&JsValue::NULL);
    });
    // `error` and then `abort` both fire for a failed write; settling twice is harmless.
    let fail = Closure::<dyn FnMut()>::new({
        let tx = tx.clone();
        move || {
            let error = tx.error().map(JsValue::from).unwrap_or_else(|| JsValue::from_str("the write was aborted"));
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    });
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onerror(Some(fail.as_ref().unchecked_ref()));
    tx.set_onabort(Some(fail.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    result?;
    Ok(())
}

/// Starts a transaction over `stores`.
pub fn transaction(db: &IdbDatabase, stores: &[&str], write: bool) -> Result<IdbTransaction> {
    let names = js_sys::Array::new();
    for s in stores {
        names.push(&JsValue::from_str(s));
    }
    let mode = if write { IdbTransactionMode::Readwrite } else { IdbTransactionMode::Readonly };
    Ok(db.transaction_with_str_sequence_and_mode(&names, mode)?)
}
