//! Any text as a path below a served folder: refused, or made of segments
//! that cannot leave the folder or name something special. (C1 controls,
//! U+0080–U+009F, are ordinary characters in file names: not refused.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::static_files::SafePath;

fuzz_target!(|raw: &str| {
    if let Ok(path) = SafePath::parse(raw) {
        for seg in path.segments() {
            assert!(seg != "." && seg != "..");
            assert!(!seg.contains(['\\', ':', '\0', '/']));
            assert!(!seg.ends_with('.') && !seg.ends_with(' '));
            assert!(!seg.chars().any(|c| c.is_ascii_control()));
        }
    }
});
