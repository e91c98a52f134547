//! Any text as a Waymark JSON file to import: importing never panics; what imports
//! exports again as JSON and Markdown and opens after saving. Seeded with a real
//! export (`seeds/json_import`), so mutations reach deep into the format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_domain::export::{from_json, to_json, to_markdown};
use waymark_domain::Workspace;

fuzz_target!(|text: &str| {
    let Ok(mut ws) = from_json(text, 1, "Ana") else { return };
    let _ = to_json(&ws, 1);
    let _ = to_markdown(&ws);
    assert!(Workspace::load(&ws.save()).is_ok(), "an imported workspace opens after saving");
});
