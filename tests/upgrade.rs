//! The browser database written by an earlier version of Waymark opens in this one:
//! upgrading it keeps every workspace, and a tab of the earlier version still open
//! steps aside instead of blocking the upgrade. Run with `cargo xtask test`.

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use waymark::session::Session;
use waymark::storage::Store;
use waymark_domain::Workspace;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Runs `body` (JavaScript) as an async function with `args` and awaits its result.
async fn js(body: &str, args: &[JsValue]) -> JsValue {
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let f = Function::new_with_args(&names.join(","), &format!("return (async () => {{ {body} }})();"));
    let list: Array = args.iter().collect();
    let promise: Promise = f.apply(&JsValue::NULL, &list).expect("the script runs").unchecked_into();
    JsFuture::from(promise).await.expect("the script succeeds")
}

#[wasm_bindgen_test]
async fn a_database_of_the_previous_version_is_upgraded_with_its_workspaces_and_its_tab_steps_aside() {
    // What version 2 of the database held: one workspace, its metadata and snapshot.
    let mut ws = Workspace::create("Written by the previous version", 1_700_000_000_000, "Ana");
    let id = ws.workspace_id();
    let meta = format!(r#"{{"id":"{id}","name":"Written by the previous version","ideas":0,"last_opened":1.0,"created":1.0,"shared":null}}"#);
    let snapshot = js_sys::Uint8Array::from(ws.save().as_slice());
    let old_tab = js(
        "await new Promise((ok) => { const r = indexedDB.deleteDatabase('waymark'); r.onsuccess = r.onerror = ok; });
         const db = await new Promise((ok, fail) => {
             const r = indexedDB.open('waymark', 2);
             r.onupgradeneeded = () => { for (const n of ['meta', 'snapshots', 'chunks', 'quarantine', 'profile', 'sync', 'outbox']) r.result.createObjectStore(n); };
             r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
         });
         await new Promise((ok, fail) => {
             const tx = db.transaction(['meta', 'snapshots'], 'readwrite');
             tx.objectStore('meta').put(a0, a1); tx.objectStore('snapshots').put(a2, a1);
             tx.oncomplete = ok; tx.onerror = () => fail(tx.error);
         });
         // The previous version's tab stays open, and (like it) closes when asked to.
         db.onversionchange = () => db.close();
         return db;",
        &[meta.into(), id.clone().into(), snapshot.into()],
    )
    .await;

    let store = Rc::new(Store::open().await.expect("the upgrade is not blocked by the open tab"));
    assert!(store.list().await.unwrap().iter().any(|m| m.id == id), "Home still lists the workspace");
    let session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("it opens");
    assert_eq!(session.brief.with_untracked(|b| b.name.clone()), "Written by the previous version");
    assert!(store.view_cache(&id).await.unwrap().is_none(), "the new store is there, empty");
    drop(old_tab);

    // And this version steps aside for a later one in the same way.
    let later = js(
        "return await new Promise((ok, fail) => {
             const r = indexedDB.open('waymark', 1000);
             r.onsuccess = () => { r.result.close(); ok(true); };
             r.onblocked = () => fail(new Error('blocked by this version'));
             r.onerror = () => fail(r.error);
         });",
        &[],
    )
    .await;
    assert_eq!(later, JsValue::TRUE);
    let refused = store.list().await.unwrap_err();
    assert!(refused.to_string().contains("reload this tab"), "{refused}");
    js("await new Promise((ok) => { const r = indexedDB.deleteDatabase('waymark'); r.onsuccess = r.onerror = ok; });", &[]).await;
}
