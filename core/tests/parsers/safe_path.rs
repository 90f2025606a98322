//! `SafePath::parse`: a request path below a served folder, still
//! percent-encoded.

use mocket_core::static_files::SafePath;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

/// A segment a file may be named: printable, no `/ \ :`, not `.` or `..`,
/// not ending in `.` or a space.
fn segment() -> impl Strategy<Value = String> {
    "[^/\\\\:\\x00-\\x1f\\x7f]{1,12}".prop_filter("a segment the parser refuses", |s| {
        s != "." && s != ".." && !s.ends_with('.') && !s.ends_with(' ')
    })
}

proptest! {
    /// Segments any file could have, percent-encoded, decode to themselves.
    #[test]
    fn encoded_segments_read_back(segments in prop::collection::vec(segment(), 1..5)) {
        let raw = segments
            .iter()
            .map(|s| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string())
            .collect::<Vec<_>>()
            .join("/");
        let path = SafePath::parse(&raw).expect("a path of allowed segments");
        prop_assert_eq!(path.as_str(), segments.join("/"));
    }

    /// Whatever a client sends, an accepted path cannot leave the folder or
    /// name something a file system reads specially.
    #[test]
    fn accepted_paths_stay_inside(raw in "[./%a-f0-9\\\\:A-Z \\x00]{0,24}") {
        if let Ok(path) = SafePath::parse(&raw) {
            for seg in path.segments() {
                prop_assert!(seg != "." && seg != "..", "{:?} from {:?}", seg, raw);
                prop_assert!(!seg.contains(['\\', ':', '\0', '/']), "{:?} from {:?}", seg, raw);
                prop_assert!(!seg.ends_with('.') && !seg.ends_with(' '), "{:?} from {:?}", seg, raw);
                prop_assert!(!seg.chars().any(|c| c.is_ascii_control()), "{:?} from {:?}", seg, raw);
            }
        }
    }
}
