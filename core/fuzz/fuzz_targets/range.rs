//! Any `Range` header (the input after its first line) against any file
//! length (the first line, in decimal): a span inside the file that
//! `bytes=FIRST-LAST` names back exactly, several ranges only where the
//! header has a comma, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::fuzzing::{Range, parse_range};

fuzz_target!(|text: &str| {
    let (len, header) = text.split_once('\n').unwrap_or(("1000", text));
    let len = len.parse::<u64>().unwrap_or(len.len() as u64);
    match parse_range(header, len) {
        Range::Satisfiable(span) => {
            assert!(
                span.start < span.end && span.end <= len,
                "{span:?} of {len} for {header:?}"
            );
            let again = format!("bytes={}-{}", span.start, span.end - 1);
            assert_eq!(parse_range(&again, len), Range::Satisfiable(span));
        }
        Range::Multiple => assert!(header.contains(','), "{header:?}"),
        Range::Ignored | Range::Unsatisfiable => {}
    }
});
