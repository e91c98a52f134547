//! Browser benchmarks in headless Chromium against the real server (`cargo xtask bench`):
//! for workspaces of 1,000 and 10,000 ideas loaded from IndexedDB, the time from
//! navigation to the rendered idea list, the longest main-thread task during that
//! load, and keystroke-to-paint latency in an idea's title; for a ranked table of 2,000
//! ideas, the time from changing one idea's input to the re-scored, re-sorted table on
//! screen; for every list page (ideas, personas, stories, feedback, documents, competitors,
//! trends) of 100, 1,000 and 5,000 items, one keystroke in an item's name until its
//! row is updated and painted; for a roadmap of 500 features, opening the board and the
//! timeline and one move → next paint on each; and keystrokes as a person makes them
//! (trusted key events) → DOM updated, rendered and presented; and importing a JSON
//! file of 1,000 and 10,000 ideas with its progress. `browser-bench ranking`, `lists`,
//! `roadmap`, `typing`, `import` and `open` run only those measurements.

use std::time::Duration;

use serde_json::{json, Value};
use waymark_e2e::{Browser, Relay};

const SIZES: [usize; 2] = [1_000, 10_000];
const LOADS: usize = 5;
const KEYSTROKES: usize = 40;
const RANKED_IDEAS: usize = 2_000;
const INPUT_CHANGES: usize = 40;
const LIST_SIZES: [usize; 3] = [100, 1_000, 5_000];
const LIST_KEYSTROKES: usize = 20;

/// A saved workspace of `n` ideas and its id.
fn workspace_bytes(n: usize) -> (String, Vec<u8>) {
    let mut ws = waymark_domain::fixtures::busy_workspace(n);
    (ws.workspace_id(), ws.save())
}

/// Polls `condition` (JavaScript) for up to two minutes: big workspaces load slowly.
async fn wait_long(b: &Browser, condition: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while b.eval(&format!("return !!({condition});")).await != Value::Bool(true) {
        assert!(std::time::Instant::now() < deadline, "gave up waiting for {condition}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The numbers of a JSON array a measuring script returned (none if it is not one).
fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Imports a saved workspace of `n` ideas through Home and returns its id.
async fn import(b: &Browser, relay: &Relay, n: usize) -> String {
    let (id, bytes) = workspace_bytes(n);
    import_bytes(b, relay, &format!("bench-{n}"), id, &bytes).await
}

/// Imports `bytes` (a saved workspace whose id is `id`) through Home as `name`.
async fn import_bytes(b: &Browser, relay: &Relay, name: &str, id: String, bytes: &[u8]) -> String {
    let file = b.downloads.join(format!("{name}.automerge"));
    std::fs::write(&file, bytes).unwrap();
    b.goto(&relay.url("/")).await;
    b.wait_for("input[type=file]").await.send_keys(&file.to_string_lossy()).await.unwrap();
    wait_long(b, "[...document.querySelectorAll('.toast')].some(t => t.textContent.includes('Imported'))").await;
    id
}

/// The ranked table of 2,000 ideas: change one visible idea's RICE reach so that it
/// becomes the top idea (each reach a thousand times the last), and time the change
/// until the re-scored, re-sorted table is updated in the DOM (all reactive work done:
/// measured at the end of a long chain of microtasks, which all run before the browser
/// renders) and until it is painted (which adds style, layout and, in this headless
/// Chromium without a GPU, software rasterisation of the re-ordered rows).
async fn ranking(b: &Browser, relay: &Relay) {
    let n: usize = std::env::var("WAYMARK_RANKED_IDEAS").ok().and_then(|v| v.parse().ok()).unwrap_or(RANKED_IDEAS);
    let id = import(b, relay, n).await;
    b.goto(&relay.url(&format!("/w/{id}/priorities"))).await;
    wait_long(b, "document.querySelectorAll('.rank-row').length > 15").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    profile_start(b).await;
    let result = b
        .eval_async(&format!(
            "const done = arguments[0]; const handler = [], paint = [], task = []; let moved = 0, i = 0; \
             function step() {{ \
               if (i >= {INPUT_CHANGES}) {{ done({{ handler, paint, moved, task }}); return; }} \
               const row = document.querySelectorAll('.rank-row')[5 + (i % 8)]; \
               const title = row.querySelector('.rank-link').textContent; \
               const input = row.querySelector('input[type=number]'); \
               const t0 = performance.now(); \
               input.value = String(Math.pow(10, 3 * i + 6)); \
               input.dispatchEvent(new Event('change', {{ bubbles: true }})); \
               handler.push(performance.now() - t0); \
               let hops = 0; const settle = () => {{ if (++hops < 200) queueMicrotask(settle); else task.push(performance.now() - t0); }}; \
               queueMicrotask(settle); \
               requestAnimationFrame(() => setTimeout(() => {{ \
                 paint.push(performance.now() - t0); \
                 if (document.querySelector('.rank-row .rank-link').textContent === title) moved++; \
                 i++; setTimeout(step, 600); \
               }}, 0)); \
             }} \
             step();"
        ))
        .await;
    profile_stop(b, &format!("ranking-{n}")).await;
    let list = |k: &str| numbers(&result[k]);
    let (handler, paint, update) = (list("handler"), list("paint"), list("task"));
    let moved = result["moved"].as_u64().unwrap_or(0) as usize;
    // Every change must really have re-ranked: the edited idea is on top when painted.
    assert_eq!(moved, INPUT_CHANGES, "the edited idea was not first in the painted table every time");
    println!(
        "ranked table, {n} ideas, {INPUT_CHANGES} input changes (0.6 s apart, so the save after each runs in between): \
         edit handler {:.1} / {:.1} ms, change→re-ranked table updated {:.1} / {:.1} ms, change→paint {:.1} / {:.1} ms (median / p95)",
        median(handler.clone()),
        percentile(handler, 0.95),
        median(update.clone()),
        percentile(update, 0.95),
        median(paint.clone()),
        percentile(paint, 0.95)
    );
}

/// For every list page: one keystroke in the open artifact's name → its row updated in
/// the DOM (all reactive work done) and → painted, with 100, 1,000 and 5,000 artifacts.
/// With `WAYMARK_DIST_BEFORE` (another build of the app, e.g. an earlier commit's), each
/// list that build has is measured there too, in the same run, one after the other.
async fn lists(b: &Browser, relay: &Relay) {
    use waymark_domain::fixtures::Collection;
    let before = std::env::var_os("WAYMARK_DIST_BEFORE").map(|d| Relay::start_with_dist(d.into()));
    let before = match before {
        Some(f) => Some(f.await),
        None => None,
    };
    println!("one edit in a long list: keystroke in the open item's name → row updated in the DOM, and → painted ({LIST_KEYSTROKES} keystrokes)");
    println!("{:>8} | {:>12} | {:>6} | {:>22} | {:>22}", "build", "list", "items", "→ DOM updated (med/p95)", "→ paint (med/p95)");
    for c in Collection::ALL {
        for n in LIST_SIZES {
            if let Some(old) = &before {
                list_edit(b, old, "before", c, n).await;
            }
            list_edit(b, relay, "after", c, n).await;
        }
    }
}

/// One list page of `n` items, served by `relay`: see [`lists`].
async fn list_edit(b: &Browser, relay: &Relay, build: &str, c: waymark_domain::fixtures::Collection, n: usize) {
    use waymark_domain::fixtures::{workspace_of, Collection};
    let (page, row, open, field) = match c {
        Collection::Ideas => ("ideas", ".idea-row", ".idea-row a", "aside.editor input.field-input"),
        Collection::Personas => ("personas", ".persona-card", ".persona-card", "aside.editor input.field-input"),
        Collection::Stories => ("stories", "ul[aria-label='Stories'] .item-row", "ul[aria-label='Stories'] .item-row a", "aside.editor input[aria-label='Goal']"),
        Collection::Feedback => ("feedback", ".feedback-row", ".feedback-row a", "aside.editor textarea"),
        Collection::Documents => ("docs", ".doc-row", ".doc-row a", "aside.editor input[aria-label='Document title']"),
        Collection::Competitors => ("competitors", "ul[aria-label='Competitors'] .item-row", "ul[aria-label='Competitors'] .item-row a", "aside.editor input.field-input"),
        Collection::Trends => ("trends", "ul[aria-label='Trends'] .item-row", "ul[aria-label='Trends'] .item-row a", "aside.editor input.field-input"),
    };
    let mut ws = workspace_of(c, n);
    let id = import_bytes(b, relay, &format!("{build}-{page}-{n}"), ws.workspace_id(), &ws.save()).await;
    b.goto(&relay.url(&format!("/w/{id}/{page}"))).await;
    wait_long(b, &format!("document.querySelectorAll(\"{row}\").length > 0")).await;
    b.click(open).await;
    wait_long(b, &format!("document.querySelector(\"{field}\")")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A slow build can take seconds a keystroke on a long list: give the script time.
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None);
    b.client.update_timeouts(timeouts).await.expect("the script timeout can be set");
    // Keystrokes go at the start of the name, where every row shows it.
    let result = b
        .eval_async(&format!(
            "const done = arguments[0]; const input = document.querySelector(\"{field}\"); \
             const update = [], paint = []; let i = 0; \
             function step() {{ \
               if (i >= {LIST_KEYSTROKES}) {{ done({{ update, paint, value: input.value }}); return; }} \
               const t0 = performance.now(); \
               input.value = 'x' + input.value; input.setSelectionRange(1, 1); \
               input.dispatchEvent(new InputEvent('input', {{ bubbles: true, data: 'x', inputType: 'insertText' }})); \
               let hops = 0; const settle = () => {{ if (++hops < 200) queueMicrotask(settle); else update.push(performance.now() - t0); }}; \
               queueMicrotask(settle); \
               requestAnimationFrame(() => setTimeout(() => {{ paint.push(performance.now() - t0); i++; setTimeout(step, 30); }}, 0)); \
             }} \
             step();"
        ))
        .await;
    let list = |k: &str| numbers(&result[k]);
    let (update, paint) = (list("update"), list("paint"));
    // The edited row shows what was typed: the keystrokes reached the list.
    let typed: String = result["value"].as_str().unwrap_or_default().chars().take(LIST_KEYSTROKES + 8).collect();
    wait_long(b, &format!("[...document.querySelectorAll(\"{row}\")].some(r => r.textContent.includes({typed:?}))")).await;
    println!(
        "{:>8} | {:>12} | {:>6} | {:>10.1} / {:>6.1} ms | {:>10.1} / {:>6.1} ms",
        build,
        page,
        n,
        median(update.clone()),
        percentile(update, 0.95),
        median(paint.clone()),
        percentile(paint, 0.95)
    );
}

const TYPED_KEYSTROKES: usize = 30;

/// Keystrokes as a person makes them: trusted key events from Chromium's input
/// pipeline (DevTools `Input.dispatchKeyEvent`, what WebDriver's actions use), into the
/// open idea's title with `n` ideas, timed from the key event's own timestamp (when
/// Chromium received it) to three moments: **DOM updated** (the idea's row in the list
/// shows the new title: a `MutationObserver` sees it), **rendered** (the frame after it
/// has run style, layout and paint on the main thread: a message posted from that
/// frame's animation callback arrives after them) and **presented** (Event Timing:
/// the next frame on screen, rounded to 8 ms; Chromium reports only keystrokes of
/// 16 ms or more, so the rest are "under 16 ms").
fn typing_header() {
    println!("keystrokes as a person types them ({TYPED_KEYSTROKES} trusted key events into an idea's title; median / p95 from the key event)");
    println!("{:>8} | {:>20} | {:>20} | presented (Event Timing)", "ideas", "→ DOM updated", "→ rendered");
}

async fn typing(b: &Browser, relay: &Relay, id: &str, n: usize) {
    b.goto(&relay.url(&format!("/w/{id}/ideas"))).await;
    wait_long(b, "document.querySelector('.idea-row a')").await;
    b.click(".idea-row a").await;
    wait_long(b, "document.querySelector('aside.editor input.field-input')").await;
    b.click("aside.editor input.field-input").await;
    b.eval(
        "const input = document.querySelector('aside.editor input.field-input'); input.setSelectionRange(input.value.length, input.value.length); \
         const w = window.__typing = { results: [], presented: [], current: null }; \
         window.addEventListener('keydown', (e) => { if (e.isTrusted) w.current = { t0: e.timeStamp }; }, true); \
         window.addEventListener('input', () => { if (w.current) { w.current.expect = input.value; w.current.input = performance.now() - w.current.t0; } }, true); \
         const row = () => document.querySelector('.idea-row.active .idea-title'); \
         new MutationObserver(() => { \
           const c = w.current; if (!c || c.expect === undefined || c.dom !== undefined || !row() || row().textContent !== c.expect) return; \
           c.dom = performance.now() - c.t0; \
           requestAnimationFrame(() => { const ch = new MessageChannel(); \
             ch.port1.onmessage = () => { c.rendered = performance.now() - c.t0; w.results.push(c); w.current = null; }; \
             ch.port2.postMessage(0); }); \
         }).observe(document.body, { subtree: true, childList: true, characterData: true }); \
         new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.name === 'keydown') w.presented.push(e.duration); }) \
           .observe({ type: 'event', durationThreshold: 16 }); \
         return true;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    profile_start(b).await;
    for i in 0..TYPED_KEYSTROKES {
        let key = json!({ "key": "x", "code": "KeyX", "text": "x", "unmodifiedText": "x", "windowsVirtualKeyCode": 88, "nativeVirtualKeyCode": 88 });
        let mut down = key.clone();
        down["type"] = json!("keyDown");
        let mut up = key;
        up["type"] = json!("keyUp");
        b.cdp("Input.dispatchKeyEvent", down).await;
        b.cdp("Input.dispatchKeyEvent", up).await;
        wait_long(b, &format!("window.__typing.results.length > {i}")).await;
        // A person types about 5 keys a second; the save after a pause is not measured.
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    profile_stop(b, &format!("typing-{n}")).await;
    let result = b.eval("return window.__typing;").await;
    let results = result["results"].as_array().cloned().unwrap_or_default();
    let of = |k: &str| -> Vec<f64> { results.iter().filter_map(|r| r[k].as_f64()).collect() };
    let (dom, rendered, input) = (of("dom"), of("rendered"), of("input"));
    let presented = numbers(&result["presented"]);
    let title = b.texts(".idea-row.active .idea-title").await.join("");
    assert!(title.ends_with(&"x".repeat(TYPED_KEYSTROKES)), "typed title not shown in the list: {title}");
    println!(
        "{:>8} | {:>9.1} / {:>5.1} ms | {:>9.1} / {:>5.1} ms | {}",
        n,
        median(dom.clone()),
        percentile(dom, 0.95),
        median(rendered.clone()),
        percentile(rendered, 0.95),
        if presented.is_empty() {
            format!("all {TYPED_KEYSTROKES} under 16 ms")
        } else {
            let count = presented.len();
            format!("{:.0} / {:.0} ms over the {count} of {TYPED_KEYSTROKES} at 16 ms or more", median(presented.clone()), percentile(presented, 0.95))
        }
    );
    // The browser's own part (key event → the input event the app handles), and the
    // app's (input event → DOM updated).
    let app: Vec<f64> = results.iter().filter_map(|r| Some(r["dom"].as_f64()? - r["input"].as_f64()?)).collect();
    println!(
        "{:>8}   of which key event → input event {:.1} / {:.1} ms (the browser), input event → DOM updated {:.1} / {:.1} ms (the app)",
        "",
        median(input.clone()),
        percentile(input, 0.95),
        median(app.clone()),
        percentile(app, 0.95)
    );
}

/// The command palette over a workspace of 10,000 ideas: Ctrl-K → the palette painted
/// (it reads every section and item then), and each key of a title typed into it →
/// the ranked results painted (input event → the frame after the DOM changed).
async fn palette(b: &Browser, relay: &Relay) {
    let n = SIZES[1];
    ideas_loaded(b, relay, n).await;
    let wanted = b.eval("return document.querySelectorAll('.idea-row .idea-title')[17].textContent;").await.as_str().unwrap_or_default().to_owned();
    let result = b
        .eval_async(&format!(
            "const done = arguments[0]; const wanted = {wanted:?};              const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));              (async () => {{                const opens = [];                for (let i = 0; i < 5; i++) {{                  const t0 = performance.now();                  window.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'k', ctrlKey: true, bubbles: true }}));                  while (!document.querySelector('.palette-input')) await new Promise(r => setTimeout(r, 0));                  await painted(); opens.push(performance.now() - t0);                  if (i < 4) {{ window.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'k', ctrlKey: true, bubbles: true }})); await painted(); }}                }}                const input = document.querySelector('.palette-input'); const keys = [];                for (let i = 1; i <= wanted.length; i++) {{                  const t0 = performance.now();                  input.value = wanted.slice(0, i);                  input.dispatchEvent(new InputEvent('input', {{ bubbles: true, data: wanted[i - 1], inputType: 'insertText' }}));                  await painted(); keys.push(performance.now() - t0);                  await new Promise(r => setTimeout(r, 40));                }}                const top = document.querySelector('#palette-option-0 .palette-title')?.textContent;                done({{ opens, keys, top }});              }})();"
        ))
        .await;
    let (opens, keys) = (numbers(&result["opens"]), numbers(&result["keys"]));
    assert_eq!(result["top"].as_str(), Some(wanted.as_str()), "the typed title comes first");
    println!("command palette, {n} ideas (the typed title, {} keys, comes first)", keys.len());
    println!("  Ctrl-K → palette painted: median {:.1} ms, max {:.1} ms (5 opens)", median(opens.clone()), opens.iter().cloned().fold(0.0, f64::max));
    println!("  key → ranked results painted: median {:.1} ms, p95 {:.1} ms", median(keys.clone()), percentile(keys, 0.95));
}

/// Imports `n` ideas and opens their list, once the document has loaded in the worker
/// (the palette reads the whole view then; an edit is answered by the document).
async fn ideas_loaded(b: &Browser, relay: &Relay, n: usize) {
    let id = import(b, relay, n).await;
    b.goto(&relay.url(&format!("/w/{id}/ideas"))).await;
    wait_long(b, "document.querySelectorAll('.idea-row .idea-title').length > 20").await;
    wait_long(b, "document.querySelector('.save-state')?.textContent.includes('Saved')").await;
}

/// Undo at 10,000 ideas: an idea accepted from its editor, then Ctrl-Z → the editor
/// painted with its status back to New (the worker reverts the step and answers with
/// the idea's view delta), ten times.
async fn undo(b: &Browser, relay: &Relay) {
    let n = SIZES[1];
    ideas_loaded(b, relay, n).await;
    b.eval("document.querySelectorAll('.idea-row a')[7].click();").await;
    wait_long(b, "document.querySelector('aside.editor select')").await;
    let result = b
        .eval_async(
            "const done = arguments[0]; const status = () => document.querySelector('aside.editor select').value;              const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));              const until = async (f) => { while (!f()) await new Promise(r => setTimeout(r, 0)); };              (async () => {                const times = [];                for (let i = 0; i < 10; i++) {                  [...document.querySelectorAll('aside.editor button')].find(b => b.textContent.includes('Accepted')).click();                  await until(() => status() === 'accepted');                  await new Promise(r => setTimeout(r, 300));                  const t0 = performance.now();                  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true }));                  await until(() => status() === 'new');                  await painted(); times.push(performance.now() - t0);                  await new Promise(r => setTimeout(r, 300));                }                done(times);              })();",
        )
        .await;
    let times = numbers(&result);
    println!("undo, {n} ideas: Ctrl-Z → the idea's status painted back: median {:.1} ms, p95 {:.1} ms ({} undos)", median(times.clone()), percentile(times.clone(), 0.95), times.len());
}

const ROADMAP_FEATURES: usize = 500;
const ROADMAP_LOADS: usize = 3;
const ROADMAP_MOVES: usize = 20;

/// Loads `path` `ROADMAP_LOADS` times and times navigation → `ready` true (polled on
/// every animation frame, so the figure includes the paint that shows it).
async fn open_time(b: &Browser, relay: &Relay, path: &str, ready: &str) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..ROADMAP_LOADS {
        b.goto(&relay.url(path)).await;
        let t = b
            .eval_async(&format!(
                "const done = arguments[0]; const check = () => {{ if ({ready}) done(performance.now()); else requestAnimationFrame(check); }}; check();"
            ))
            .await;
        times.push(t.as_f64().unwrap_or(f64::NAN));
    }
    times
}

/// A board and a timeline of 500 features: open (navigation → every card or bar
/// painted), and one move → the next paint with the card in its new place (a card
/// moved one place down with Alt + ↓, the way the keyboard and a drop both end: one
/// `MoveFeature` edit), or a bar dragged a week later.
async fn roadmap(b: &Browser, relay: &Relay) {
    let n = ROADMAP_FEATURES;
    let mut ws = waymark_domain::fixtures::roadmap_workspace(n);
    let id = import_bytes(b, relay, &format!("roadmap-{n}"), ws.workspace_id(), &ws.save()).await;
    let board = open_time(b, relay, &format!("/w/{id}/roadmap"), &format!("document.querySelectorAll('.card').length === {n}")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    profile_start(b).await;
    let moves = b
        .eval_async(&format!(
            "const done = arguments[0]; const paint = [], update = []; let i = 0, ok = 0;              function step() {{                if (i >= {ROADMAP_MOVES}) {{ done({{ paint, update, ok }}); return; }}                const col = document.querySelector(\"ol[aria-label='Next']\");                const card = col.querySelectorAll('.card')[3]; const title = card.getAttribute('aria-label'); card.focus();                const t0 = performance.now();                card.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'ArrowDown', altKey: true, bubbles: true, cancelable: true }})); let hops = 0; const settle = () => {{ if (++hops < 200) queueMicrotask(settle); else update.push(performance.now() - t0); }}; queueMicrotask(settle);                requestAnimationFrame(() => setTimeout(() => {{                  paint.push(performance.now() - t0);                  if (col.querySelectorAll('.card')[4].getAttribute('aria-label') === title) ok++;                  i++; setTimeout(step, 300);                }}, 0));              }}              step();"
        ))
        .await;
    let list = |v: &Value, k: &str| numbers(&v[k]);
    profile_stop(b, "roadmap-board-moves").await;
    let board_moves = list(&moves, "paint");
    let board_updates = list(&moves, "update");
    assert_eq!(moves["ok"].as_u64(), Some(ROADMAP_MOVES as u64), "every move showed the card one place down");
    let timeline = open_time(b, relay, &format!("/w/{id}/timeline"), &format!("document.querySelectorAll('.timeline-scroll [data-bar]').length === {n}")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    profile_start(b).await;
    let drags = b
        .eval_async(&format!(
            "const done = arguments[0]; const paint = []; let i = 0, ok = 0;              function step() {{                if (i >= {ROADMAP_MOVES}) {{ done({{ paint, ok }}); return; }}                const bar = document.querySelectorAll('.timeline-scroll [data-bar]')[10 + i];                const fid = bar.getAttribute('data-bar'); const before = bar.getAttribute('aria-label');                const r = bar.querySelector('rect').getBoundingClientRect();                const at = (x) => ({{ bubbles: true, cancelable: true, clientX: x, clientY: r.top + r.height / 2, button: 0, pointerId: 1 }});                const x = r.left + r.width / 2;                bar.querySelector('rect').dispatchEvent(new PointerEvent('pointerdown', at(x)));                bar.dispatchEvent(new PointerEvent('pointermove', at(x + 35)));                const t0 = performance.now();                bar.dispatchEvent(new PointerEvent('pointerup', at(x + 35)));                requestAnimationFrame(() => setTimeout(() => {{                  paint.push(performance.now() - t0);                  const now = document.querySelector('.timeline-scroll [data-bar=\"' + fid + '\"]');                  if (now && now.getAttribute('aria-label') !== before) ok++;                  i++; setTimeout(step, 300);                }}, 0));              }}              step();"
        ))
        .await;
    profile_stop(b, "roadmap-timeline-drags").await;
    let timeline_drags = list(&drags, "paint");
    assert_eq!(drags["ok"].as_u64(), Some(ROADMAP_MOVES as u64), "every drag re-dated its bar");
    println!("roadmap of {n} features ({ROADMAP_LOADS} loads, {ROADMAP_MOVES} moves; median / p95):");
    println!(
        "  board: open → every card painted {:.0} / {:.0} ms; move a card → DOM updated {:.1} / {:.1} ms, → next paint {:.1} / {:.1} ms",
        median(board.clone()),
        percentile(board, 0.95),
        median(board_updates.clone()),
        percentile(board_updates, 0.95),
        median(board_moves.clone()),
        percentile(board_moves, 0.95)
    );
    println!(
        "  timeline: open → every bar painted {:.0} / {:.0} ms; drag a bar → next paint {:.1} / {:.1} ms",
        median(timeline.clone()),
        percentile(timeline, 0.95),
        median(timeline_drags.clone()),
        percentile(timeline_drags, 0.95)
    );
}

/// With WAYMARK_PROFILE set, starts sampling the page's JavaScript and wasm (every
/// 100 µs) until [`profile_stop`].
async fn profile_start(b: &Browser) {
    if std::env::var_os("WAYMARK_PROFILE").is_some() {
        b.cdp("Profiler.enable", json!({})).await;
        b.cdp("Profiler.setSamplingInterval", json!({ "interval": 100 })).await;
        b.cdp("Profiler.start", json!({})).await;
    }
}

/// Writes the profile since [`profile_start`] to target/<name>.cpuprofile (open it in
/// Chromium's DevTools, Performance panel).
async fn profile_stop(b: &Browser, name: &str) {
    if std::env::var_os("WAYMARK_PROFILE").is_some() {
        let profile = b.cdp("Profiler.stop", json!({})).await;
        let path = format!("target/{name}.cpuprofile");
        std::fs::write(&path, profile["profile"].to_string()).expect("write the profile");
        println!("  profile written to {path}");
    }
}

/// Opens the idea list of workspace `id` `times` times: the time from navigation to the
/// list rendered (each), and the longest main-thread task while opening (of all).
async fn open_ideas(b: &Browser, relay: &Relay, id: &str, times: usize) -> (Vec<f64>, f64) {
    b.wait_for_view_cache_of(id).await;
    let (mut painted, mut longest) = (Vec::new(), 0.0f64);
    for _ in 0..times {
        let (p, _, l) = open_once(b, relay, id).await;
        painted.push(p);
        longest = longest.max(l);
    }
    (painted, longest)
}

/// Opens the idea list once: navigation → list painted, navigation → document loaded
/// (the same moment when there is no view cache), and the longest main-thread task
/// until then.
async fn open_once(b: &Browser, relay: &Relay, id: &str) -> (f64, f64, f64) {
    b.goto(&relay.url(&format!("/w/{id}/ideas"))).await;
    let mark = |name: &str| format!("performance.getEntriesByName('{name}').length > 0");
    wait_long(b, &mark("waymark:ideas-rendered")).await;
    wait_long(b, &mark("waymark:document-loaded")).await;
    let at = |name: &str| format!("return performance.getEntriesByName('{name}')[0].startTime;");
    let painted = b.eval(&at("waymark:ideas-rendered")).await.as_f64().unwrap_or(f64::NAN);
    let loaded = b.eval(&at("waymark:document-loaded")).await.as_f64().unwrap_or(f64::NAN);
    // Long tasks are buffered by the browser from navigation on.
    let longest = b
        .eval_async(
            "const done = arguments[0]; let max = 0; \
             new PerformanceObserver((list) => { for (const e of list.getEntries()) max = Math.max(max, e.duration); }) \
               .observe({ type: 'longtask', buffered: true }); \
             setTimeout(() => done(max), 300);",
        )
        .await
        .as_f64()
        .unwrap_or(0.0);
    (painted, loaded, longest)
}

/// Opening alone, for 1,000 and 10,000 ideas: the first visit (no view cache yet),
/// then visits painted from the cache; with WAYMARK_PROFILE, one profiled opening of
/// each after the measured ones (`target/open-N.cpuprofile`).
async fn open_only(b: &Browser, relay: &Relay) {
    println!(
        "{:>8} | {:>28} | {:>26} | {:>26} | {:>22}",
        "ideas", "first visit: list / longest", "from cache: list (med)", "document loaded (med)", "longest task (max)"
    );
    for n in SIZES {
        let id = import(b, relay, n).await;
        let (first, _, first_longest) = open_once(b, relay, &id).await;
        b.wait_for_view_cache_of(&id).await;
        let (mut painted, mut loaded, mut longest) = (Vec::new(), Vec::new(), 0.0f64);
        for _ in 0..LOADS {
            let (p, l, t) = open_once(b, relay, &id).await;
            painted.push(p);
            loaded.push(l);
            longest = longest.max(t);
        }
        println!(
            "{:>8} | {:>12.0} ms / {:>9.0} ms | {:>23.0} ms | {:>23.0} ms | {:>19.0} ms",
            n,
            first,
            first_longest,
            median(painted),
            median(loaded),
            longest
        );
        if std::env::var_os("WAYMARK_PROFILE").is_some() {
            b.goto(&relay.url("/")).await;
            b.wait_for_text("h1", "Your workspaces").await;
            profile_start(b).await;
            let _ = open_once(b, relay, &id).await;
            profile_stop(b, &format!("open-{n}")).await;
        }
    }
}

/// Imports a Waymark JSON export of `n` ideas through Home, as a person does, and times
/// it in the page from the file being chosen: until the first progress is drawn, and
/// until the workspace is imported and stored; with the longest main-thread task in
/// between (the document worker does the work) and how many progress updates the page
/// drew.
async fn json_import(b: &Browser, relay: &Relay, n: usize) {
    let text = waymark_domain::export::to_json(&waymark_domain::fixtures::busy_workspace(n), 1_700_000_000_000);
    let file = b.downloads.join(format!("bench-{n}.json"));
    std::fs::write(&file, &text).unwrap();
    b.goto(&relay.url("/")).await;
    b.wait_for_text("h1", "Your workspaces").await;
    b.eval(
        "const m = window.importBench = { start: 0, progress: 0, done: 0, updates: 0, longest: 0 };
         document.addEventListener('change', (e) => { if (e.target.type === 'file') m.start = performance.now(); }, true);
         new MutationObserver(() => {
             if (!m.start || m.done) return;
             if (document.querySelector('.import-progress')) { m.updates++; m.progress = m.progress || performance.now(); }
             if ([...document.querySelectorAll('.toast')].some((t) => t.textContent.includes('Imported'))) m.done = performance.now();
         }).observe(document.body, { subtree: true, childList: true, characterData: true });
         new PerformanceObserver((list) => {
             for (const e of list.getEntries()) {
                 if (m.start && e.startTime >= m.start && (!m.done || e.startTime <= m.done)) m.longest = Math.max(m.longest, e.duration);
             }
         }).observe({ type: 'longtask' });
         return true;",
    )
    .await;
    b.wait_for("input[type=file]").await.send_keys(&file.to_string_lossy()).await.unwrap();
    wait_long(b, "window.importBench.done > 0").await;
    // Long-task entries arrive a moment after the task.
    let m = b.eval_async("const done = arguments[0]; setTimeout(() => done(window.importBench), 300);").await;
    let at = |k: &str| m[k].as_f64().unwrap_or(f64::NAN);
    // A build without progress never draws any.
    let progress = if at("progress") > 0.0 { format!("{:.0} ms", at("progress") - at("start")) } else { "never".to_owned() };
    println!(
        "{:>8} | {:>8.1} MB | {:>17} | {:>15.0} ms | {:>12.0} ms | {:>8}",
        n,
        text.len() as f64 / 1e6,
        progress,
        at("done") - at("start"),
        at("longest"),
        m["updates"]
    );
}

fn json_import_header() {
    println!("JSON import through Home (the document worker builds the workspace; times from choosing the file)");
    println!("{:>8} | {:>11} | {:>17} | {:>18} | {:>15} | {:>8}", "ideas", "file", "→ progress shown", "→ imported, stored", "longest task", "updates");
}

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("teammate") {
        teammates().await;
        return;
    }
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    b.wait_for_text("h1", "Your workspaces").await;
    match std::env::args().nth(1).as_deref() {
        Some("ranking") => {
            ranking(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("lists") => {
            lists(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("roadmap") => {
            roadmap(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("undo") => {
            undo(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("palette") => {
            palette(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("open") => {
            open_only(&b, &relay).await;
            b.close().await;
            return;
        }
        Some("import") => {
            json_import_header();
            for n in SIZES {
                json_import(&b, &relay, n).await;
            }
            b.close().await;
            return;
        }
        Some("typing") => {
            typing_header();
            let id = import(&b, &relay, SIZES[0]).await;
            typing(&b, &relay, &id, SIZES[0]).await;
            b.close().await;
            return;
        }
        _ => {}
    }
    println!("browser benchmarks (headless Chromium, release build, {LOADS} loads and {KEYSTROKES} keystrokes per size)");
    println!("{:>8} | {:>22} | {:>22} | {:>26} | {:>24}", "ideas", "navigation→list (med)", "longest task (max)", "keystroke handler (med/p95)", "keystroke→paint (med/p95)");
    let mut imported = Vec::new();
    for n in SIZES {
        let id = import(&b, &relay, n).await;
        imported.push((n, id.clone()));

        let (loads, longest) = open_ideas(&b, &relay, &id, LOADS).await;

        b.click(".idea-row a").await;
        b.wait_for("aside.editor input.field-input").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let result = b
            .eval_async(&format!(
                "const done = arguments[0]; const input = document.querySelector('aside.editor input.field-input'); \
                 const handler = [], paint = []; let i = 0; \
                 function step() {{ \
                   if (i >= {KEYSTROKES}) {{ done({{ handler, paint }}); return; }} \
                   const t0 = performance.now(); \
                   input.value = input.value + 'x'; \
                   input.dispatchEvent(new InputEvent('input', {{ bubbles: true, data: 'x', inputType: 'insertText' }})); \
                   handler.push(performance.now() - t0); \
                   requestAnimationFrame(() => setTimeout(() => {{ paint.push(performance.now() - t0); i++; setTimeout(step, 20); }}, 0)); \
                 }} \
                 step();"
            ))
            .await;
        let list = |k: &str| numbers(&result[k]);
        let (handler, paint) = (list("handler"), list("paint"));
        // The list row shows the edited title: the keystrokes reached the screen.
        let title = b.texts(".idea-row.active .idea-title").await.join("");
        assert!(title.ends_with(&"x".repeat(KEYSTROKES)), "typed title not shown in the list: {title}");
        println!(
            "{:>8} | {:>19.0} ms | {:>19.0} ms | {:>12.1} / {:>6.1} ms | {:>11.1} / {:>6.1} ms",
            n,
            median(loads),
            longest,
            median(handler.clone()),
            percentile(handler, 0.95),
            median(paint.clone()),
            percentile(paint, 0.95)
        );
    }
    typing_header();
    for (n, id) in &imported {
        typing(&b, &relay, id, *n).await;
    }
    json_import_header();
    for n in SIZES {
        json_import(&b, &relay, n).await;
    }
    ranking(&b, &relay).await;
    lists(&b, &relay).await;
    roadmap(&b, &relay).await;
    palette(&b, &relay).await;
    undo(&b, &relay).await;
    b.close().await;
    teammates().await;
}

/// Both paths of [`teammate`], with a header.
async fn teammates() {
    println!("a change → a teammate's screen (Enter on a new idea in A → its row in B's DOM; a new idea is saved at once)");
    println!("{:>8} | {:>19} | timed", "path", "median / p95");
    teammate(true).await;
    teammate(false).await;
}

/// Changes sent to a teammate: 20 ideas added in A, each timed from A's Enter key to
/// the row in B's DOM (both clocks are this machine's). Through the relay (browsers
/// that cannot connect directly), and directly (the relay stopped once connected).
async fn teammate(relay_only: bool) {
    const PROBES: usize = 20;
    let mut relay = Relay::start().await;
    let (a, b) = if relay_only {
        (Browser::start_relay_only().await, Browser::start_relay_only().await)
    } else {
        (Browser::start().await, Browser::start().await)
    };
    a.goto(&relay.url("/")).await;
    a.set_name("Ada Lovelace").await;
    a.wait_for_text("h1", "Your workspaces").await;
    a.type_into("input[aria-label='New workspace name']", "Latency").await;
    a.click(".create-form button[type=submit]").await;
    a.wait_for_text("h1.page-title", "Brief").await;
    a.click("a.nav-link[href$='/ideas']").await;
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for("input[aria-label='New idea']").await;
    if !relay_only {
        for browser in [&a, &b] {
            browser.wait_for_text(".sync-state", "direct with 1").await;
        }
        relay.stop();
        for browser in [&a, &b] {
            browser.wait_for_text(".sync-state", "Relay offline").await;
        }
    }
    a.eval(
        "window.__sent = {}; document.addEventListener('keydown', (e) => { \
           if (e.key === 'Enter' && e.target.matches(\"input[aria-label='New idea']\")) window.__sent[e.target.value] = performance.timeOrigin + performance.now(); }, true); \
         return true;",
    )
    .await;
    b.eval(
        "window.__seen = {}; new MutationObserver(() => { \
           for (const el of document.querySelectorAll('.idea-row .idea-title')) { \
             const t = el.textContent; if (t.startsWith('probe-') && !(t in window.__seen)) window.__seen[t] = performance.timeOrigin + performance.now(); } \
         }).observe(document.body, { subtree: true, childList: true, characterData: true }); return true;",
    )
    .await;
    for i in 0..PROBES {
        let title = format!("probe-{i}");
        a.type_into("input[aria-label='New idea']", &format!("{title}{}", waymark_e2e::keys::ENTER)).await;
        b.wait_for_text(".idea-row .idea-title", &title).await;
    }
    let sent = a.eval("return window.__sent").await;
    let seen = b.eval("return window.__seen").await;
    let latencies: Vec<f64> = (0..PROBES)
        .filter_map(|i| {
            let t = format!("probe-{i}");
            Some(seen[&t].as_f64()? - sent[&t].as_f64()?)
        })
        .collect();
    assert_eq!(latencies.len(), PROBES, "every change was timed");
    println!(
        "{:>8} | {:>8.0} / {:>6.0} ms | {} of {PROBES}",
        if relay_only { "relay" } else { "direct" },
        median(latencies.clone()),
        percentile(latencies, 0.95),
        PROBES
    );
    a.close().await;
    b.close().await;
}
