//! Any text pasted as a share link: reading it never panics, and a link that reads
//! gives back the same keys when written out again (a view link never writes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_protocol::Capability;

fuzz_target!(|text: &str| {
    let Ok(cap) = Capability::from_fragment(text) else { return };
    let view = Capability::from_fragment(&cap.view_fragment()).expect("a view link written here reads");
    assert_eq!(view, cap.view_only());
    assert!(!view.can_write());
    if let Some(edit) = cap.edit_fragment() {
        assert_eq!(Capability::from_fragment(&edit).expect("an edit link written here reads"), cap);
    }
});
