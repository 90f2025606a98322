//! Any bytes as a urlencoded form body: parsed without a panic, and every
//! pair `iter` lists is found by `get_all`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::FormData;

fuzz_target!(|data: &[u8]| {
    let form = FormData::from_urlencoded(data);
    for (name, value) in form.iter() {
        assert!(form.get_all(name).any(|v| v == value));
    }
});
