//! Precompressed siblings: which file holds a coding. Which coding the
//! client prefers is [`Encoding::ranked`]'s, shared with the
//! `Compression` middleware so both read `Accept-Encoding` alike.

use crate::compression::Encoding;

/// The sibling's file-name suffix for `coding` (`None` for identity).
pub(crate) fn suffix(coding: Encoding) -> Option<&'static str> {
    match coding {
        Encoding::Brotli => Some(".br"),
        Encoding::Gzip => Some(".gz"),
        Encoding::Identity => None,
    }
}
