//! Any bytes as an `.automerge` file to import: checking and opening it never panic;
//! what the check accepts opens, as the workspace the check named, and reads whole.
//! Seeded with a real workspace file (`seeds/automerge_import`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_domain::export::{plan_automerge_import, to_json, to_markdown};
use waymark_domain::Workspace;

fuzz_target!(|data: &[u8]| {
    let Ok(plan) = plan_automerge_import(data, None) else { return };
    let ws = Workspace::load(data).expect("what the import check accepts opens");
    assert_eq!(ws.workspace_id(), plan.workspace_id);
    let _ = ws.problems();
    let _ = to_json(&ws, 1);
    let _ = to_markdown(&ws);
});
