//! Properties of `parse_range` (`Range: bytes=…`), for any file length.

use proptest::prelude::*;

use super::range::{RangeRequest, parse_range};

proptest! {
    /// `bytes=FIRST-LAST` selects exactly that span, cut at the end of the
    /// file, or is unsatisfiable when it starts past the end.
    #[test]
    fn first_last_selects_its_span(len in 0u64..10_000, first in 0u64..12_000, extra in 0u64..5_000) {
        let last = first + extra;
        let got = parse_range(&format!("bytes={first}-{last}"), len);
        if first < len {
            prop_assert_eq!(got, RangeRequest::Satisfiable(first..(last + 1).min(len)));
        } else {
            prop_assert!(matches!(got, RangeRequest::Unsatisfiable(_)));
        }
    }

    /// `bytes=-N` is the last N bytes (all of them when N is larger);
    /// `-0` and any suffix of an empty file are unsatisfiable.
    #[test]
    fn a_suffix_is_the_files_tail(len in 0u64..10_000, n in 0u64..12_000) {
        let got = parse_range(&format!("bytes=-{n}"), len);
        if n == 0 || len == 0 {
            prop_assert!(matches!(got, RangeRequest::Unsatisfiable(_)));
        } else {
            prop_assert_eq!(got, RangeRequest::Satisfiable(len - n.min(len)..len));
        }
    }

    /// Any header: a range inside the file, never a panic, never an empty
    /// or reversed span.
    #[test]
    fn any_header_stays_inside_the_file(header in "[ -~]{0,40}", len in 0u64..1_000) {
        if let RangeRequest::Satisfiable(range) = parse_range(&header, len) {
            prop_assert!(range.start < range.end && range.end <= len, "{:?} for {:?}", range, header);
        }
    }

    /// Numbers past u64 saturate: still beyond any file, never wrapped
    /// into one.
    #[test]
    fn huge_numbers_are_beyond_the_file(len in 0u64..1_000, digits in "[1-9][0-9]{20,30}") {
        let got = parse_range(&format!("bytes={digits}-"), len);
        prop_assert!(matches!(got, RangeRequest::Unsatisfiable(_)));
    }
}
