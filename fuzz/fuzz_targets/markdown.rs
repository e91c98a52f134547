//! Any text as a document body: rendering never panics and never yields a tag that runs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = waymark_domain::markdown::render(text).to_ascii_lowercase();
    for forbidden in ["<script", "<img", "<iframe", "<style", "<a href=\"javascript"] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
});
