//! Any text as a listen address: an address that prints back to a form
//! the parser reads as the same address, or an error naming the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::backend::parse_listen_addr;

fuzz_target!(|text: &str| {
    match parse_listen_addr(text) {
        Ok(addr) => assert_eq!(parse_listen_addr(&addr.to_string()), Ok(addr)),
        Err(e) => assert!(e.to_string().starts_with("invalid listen address")),
    }
});
