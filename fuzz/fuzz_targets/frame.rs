//! Any bytes as a relay frame: decoding never panics, and what decodes encodes back to
//! the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use waymark_protocol::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::decode(data) {
        assert_eq!(message.encode(), data, "a decoded frame encodes back to itself");
    }
});
