//! From the request path to a path inside the served folder, or a refusal.
//!
//! The path is percent-decoded exactly once, segment by segment, and every
//! segment that could mean something other than "a name inside this folder"
//! on any host is refused, never normalised: `.` and `..` (also as
//! `%2e%2e`), an encoded `/` (`%2f`), a backslash (raw or `%5c`, a separator
//! on Windows), NUL and other control bytes (raw or `%00`), a `:` (a Windows
//! drive prefix such as `C:`, or an NTFS stream such as `a.txt::$DATA`), an
//! empty segment (`//`, which would make an absolute path or a
//! protocol-relative redirect), and a trailing `.` or space (which Windows
//! strips, so `..` could hide as `...`). What is left can only be joined
//! below the folder; symlinks are the [`StaticFs`](super::StaticFs)'s to
//! contain.

use std::fmt;

use crate::params::percent_decode_into;

/// A sanitised path inside the served folder: `/`-separated names, none of
/// them empty, `.`, `..`, or holding a separator, NUL, control byte or `:`.
///
/// ```
/// use mocket_core::static_files::SafePath;
/// let path = SafePath::parse("css/my%20site.css").unwrap();
/// assert_eq!(path.as_str(), "css/my site.css");
/// assert_eq!(path.segments().collect::<Vec<_>>(), ["css", "my site.css"]);
/// assert!(SafePath::parse("a/%2e%2e/secret").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafePath {
    /// Decoded segments joined by `/`; empty for the folder itself.
    joined: String,
}

/// Why a request path was refused (a 400 whose message says which rule).
///
/// ```
/// use mocket_core::static_files::{PathError, SafePath};
/// assert_eq!(SafePath::parse("a/../b"), Err(PathError::DotSegment));
/// assert_eq!(PathError::DotSegment.to_string(), "path segments `.` and `..` are not allowed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// `.` or `..`, raw or encoded.
    DotSegment,
    /// `%2f` inside a segment.
    EncodedSlash,
    /// `\`, raw or `%5c`.
    Backslash,
    /// NUL, raw or `%00`.
    Nul,
    /// Another control byte (below 0x20, or 0x7f).
    ControlByte,
    /// `:`, as in a Windows drive (`C:`) or an NTFS stream.
    Colon,
    /// `//`: an empty segment.
    EmptySegment,
    /// A segment ending in `.` or a space, which Windows silently strips.
    TrailingDotOrSpace,
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    BadEncoding,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::DotSegment => "path segments `.` and `..` are not allowed",
            PathError::EncodedSlash => "an encoded `/` (%2F) is not allowed in a path segment",
            PathError::Backslash => "a backslash is not allowed in the path",
            PathError::Nul => "a NUL byte is not allowed in the path",
            PathError::ControlByte => "control characters are not allowed in the path",
            PathError::Colon => "a `:` is not allowed in the path",
            PathError::EmptySegment => "empty path segments (`//`) are not allowed",
            PathError::TrailingDotOrSpace => "a path segment may not end with `.` or a space",
            PathError::BadEncoding => "the path has invalid percent-encoding or is not UTF-8",
        })
    }
}

impl std::error::Error for PathError {}

impl SafePath {
    /// The folder itself.
    pub(crate) fn root() -> Self {
        SafePath {
            joined: String::new(),
        }
    }

    /// Sanitises a raw (still percent-encoded) path relative to the
    /// folder, without a leading `/` and without a trailing one.
    ///
    /// ```
    /// use mocket_core::static_files::{PathError, SafePath};
    /// assert_eq!(SafePath::parse("").unwrap().as_str(), "");
    /// assert_eq!(SafePath::parse("a%2fb"), Err(PathError::EncodedSlash));
    /// assert_eq!(SafePath::parse("C:/x"), Err(PathError::Colon));
    /// assert_eq!(SafePath::parse("a%00"), Err(PathError::Nul));
    /// ```
    pub fn parse(raw: &str) -> Result<SafePath, PathError> {
        let mut joined = String::with_capacity(raw.len());
        if raw.is_empty() {
            return Ok(SafePath { joined });
        }
        let mut decoded = String::new();
        for segment in raw.split('/') {
            if segment.is_empty() {
                return Err(PathError::EmptySegment);
            }
            if segment.contains('\\') {
                return Err(PathError::Backslash);
            }
            decoded.clear();
            percent_decode_into(segment, &mut decoded).map_err(|_| PathError::BadEncoding)?;
            check_segment(&decoded)?;
            if !joined.is_empty() {
                joined.push('/');
            }
            joined.push_str(&decoded);
        }
        Ok(SafePath { joined })
    }

    /// The path, `/`-separated, decoded; empty for the folder itself.
    ///
    /// ```
    /// let path = mocket_core::static_files::SafePath::parse("a/b.txt").unwrap();
    /// assert_eq!(path.as_str(), "a/b.txt");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.joined
    }

    /// The decoded names, outermost first; none for the folder itself.
    ///
    /// ```
    /// let path = mocket_core::static_files::SafePath::parse("a/b.txt").unwrap();
    /// assert_eq!(path.segments().count(), 2);
    /// ```
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.joined.split('/').filter(|s| !s.is_empty())
    }

    /// The last name, if any.
    pub(crate) fn file_name(&self) -> Option<&str> {
        self.segments().last()
    }

    /// Whether a name starts with `.` (a dotfile or dot-folder).
    pub(crate) fn has_dot_segment(&self) -> bool {
        self.segments().any(|s| s.starts_with('.'))
    }

    /// This path with `name` (already a safe name) appended.
    pub(crate) fn join(&self, name: &str) -> SafePath {
        let joined = if self.joined.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.joined)
        };
        SafePath { joined }
    }

    /// This path with `suffix` added to its last name (`a.css` → `a.css.br`).
    pub(crate) fn with_suffix(&self, suffix: &str) -> SafePath {
        SafePath {
            joined: format!("{}{suffix}", self.joined),
        }
    }
}

/// Refuses a decoded segment that is not a plain name on every host.
fn check_segment(name: &str) -> Result<(), PathError> {
    if name == "." || name == ".." {
        return Err(PathError::DotSegment);
    }
    for byte in name.bytes() {
        match byte {
            b'/' => return Err(PathError::EncodedSlash),
            b'\\' => return Err(PathError::Backslash),
            0 => return Err(PathError::Nul),
            1..=0x1f | 0x7f => return Err(PathError::ControlByte),
            b':' => return Err(PathError::Colon),
            _ => {}
        }
    }
    if name.ends_with(['.', ' ']) {
        return Err(PathError::TrailingDotOrSpace);
    }
    Ok(())
}

/// The raw path below a mount of `mount_segments` segments: `Some("")` for
/// the mount with a trailing `/`, `Some("a/b/")` below it, `None` for the
/// mount itself without a trailing `/` (or a path not under it).
pub(crate) fn below_mount(path: &str, mount_segments: usize) -> Option<&str> {
    let mut rest = path.strip_prefix('/')?;
    for _ in 0..mount_segments {
        rest = rest.split_once('/')?.1;
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_path_below_the_mount() {
        assert_eq!(below_mount("/assets/a/b", 1), Some("a/b"));
        assert_eq!(below_mount("/assets/", 1), Some(""));
        assert_eq!(below_mount("/assets", 1), None);
        assert_eq!(below_mount("/", 0), Some(""));
        assert_eq!(below_mount("/x/", 0), Some("x/"));
        assert_eq!(below_mount("/t/v/assets/x", 3), Some("x"));
        assert_eq!(below_mount("*", 0), None);
    }

    #[test]
    fn refuses_every_form_of_escape() {
        for (raw, why) in [
            ("..", PathError::DotSegment),
            ("a/./b", PathError::DotSegment),
            ("%2e%2e/x", PathError::DotSegment),
            ("%2E%2E", PathError::DotSegment),
            (".%2e", PathError::DotSegment),
            ("a%2f..%2fb", PathError::EncodedSlash),
            ("a%2Fb", PathError::EncodedSlash),
            ("a\\b", PathError::Backslash),
            ("..%5c..%5cwin.ini", PathError::Backslash),
            ("a%00.txt", PathError::Nul),
            ("a\0", PathError::Nul),
            ("a%0d%0a", PathError::ControlByte),
            ("C:", PathError::Colon),
            ("c%3a/windows", PathError::Colon),
            ("a.txt::$DATA", PathError::Colon),
            ("a//b", PathError::EmptySegment),
            ("/etc/passwd", PathError::EmptySegment),
            ("...", PathError::TrailingDotOrSpace),
            ("a. ", PathError::TrailingDotOrSpace),
            ("%zz", PathError::BadEncoding),
            ("%ff", PathError::BadEncoding),
        ] {
            assert_eq!(SafePath::parse(raw), Err(why), "{raw}");
        }
    }

    #[test]
    fn decodes_once_only() {
        // `%252e` is a literal `%2e` in a name: safe, and not a dot segment.
        assert_eq!(SafePath::parse("%252e%252e").unwrap().as_str(), "%2e%2e");
        assert_eq!(SafePath::parse(".hidden/a").unwrap().as_str(), ".hidden/a");
        assert!(SafePath::parse(".hidden/a").unwrap().has_dot_segment());
        assert_eq!(
            SafePath::parse("a").unwrap().with_suffix(".br").as_str(),
            "a.br"
        );
        assert_eq!(SafePath::root().join("index.html").as_str(), "index.html");
    }
}
