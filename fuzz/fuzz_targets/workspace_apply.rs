//! Any bytes as a teammate's change to a workspace: applying never panics, and the
//! workspace still reads and saves afterwards. The same bytes as another tab's
//! snapshot: reading its header never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_domain::Workspace;

fuzz_target!(|data: &[u8]| {
    let mut ws = Workspace::create("Fuzz", 1, "Ana");
    let _ = ws.holds_all_of(data);
    let _ = ws.apply(data);
    let _ = ws.ideas();
    let _ = ws.problems();
    assert!(Workspace::load(&ws.save()).is_ok(), "the workspace still opens");
});
