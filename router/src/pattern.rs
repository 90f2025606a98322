//! Route pattern parsing.
//!
//! Patterns are parsed once, at insertion time, into a list of [`Segment`]s;
//! the tree never sees pattern text again. Validation happens here, before
//! the tree is touched, so a rejected pattern leaves the router unchanged.
//! Errors carry a human-readable reason because they surface at start-up,
//! in front of a developer who just typed the pattern.

use crate::InsertError;

/// One `/`-separated piece of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Literal text, compared byte-for-byte with the raw request segment.
    Static(&'a str),
    /// `:name`: exactly one non-empty segment.
    Param(&'a str),
    /// `*` or `*name`: exactly one non-empty segment, tried after `:name`.
    Star(&'a str),
    /// `**` or `**name`: zero or more segments, tried last.
    Glob(&'a str),
}

impl<'a> Segment<'a> {
    /// The parameter name this segment binds, if any.
    pub(crate) fn name(self) -> Option<&'a str> {
        match self {
            Segment::Static(_) => None,
            Segment::Param(n) | Segment::Star(n) | Segment::Glob(n) => Some(n),
        }
    }
}

/// A route pattern, parsed and checked against the grammar (see the crate
/// docs): what a framework needs to know about a pattern without walking a
/// router.
///
/// ```
/// use mocket_router::Pattern;
/// let p = Pattern::parse("/users/:id/files/**path").unwrap();
/// assert_eq!(p.param_names().collect::<Vec<_>>(), ["id", "path"]);
/// assert!(!p.is_static());
/// assert!(Pattern::parse("/about").unwrap().is_static());
/// assert!(Pattern::parse("/a/:x/:x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: Box<str>,
    names: Box<[Box<str>]>,
    is_static: bool,
}

impl Pattern {
    /// Parses and validates `text`; the error says what is wrong, as
    /// [`Router::insert`](crate::Router::insert)'s does.
    ///
    /// ```
    /// let err = mocket_router::Pattern::parse("users").unwrap_err();
    /// assert_eq!(err.to_string(), "invalid route pattern \"users\": a pattern must start with `/`");
    /// ```
    pub fn parse(text: &str) -> Result<Pattern, InsertError> {
        let segments = parse(text)?;
        Ok(Pattern {
            names: segments
                .iter()
                .filter_map(|s| s.name())
                .map(Box::from)
                .collect(),
            is_static: segments.iter().all(|s| matches!(s, Segment::Static(_))),
            text: text.into(),
        })
    }

    /// The pattern's text, as given.
    ///
    /// ```
    /// assert_eq!(mocket_router::Pattern::parse("/a/:b").unwrap().as_str(), "/a/:b");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The names of its parameters in order: `:id` is `id`, an unnamed `*`
    /// or `**` is `*` or `**`.
    ///
    /// ```
    /// let p = mocket_router::Pattern::parse("/a/*/b/**").unwrap();
    /// assert_eq!(p.param_names().collect::<Vec<_>>(), ["*", "**"]);
    /// ```
    pub fn param_names(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.names.iter().map(|n| &**n)
    }

    /// Whether it has no parameters or wildcards: it then matches exactly
    /// one path, its own text, and beats every other pattern there.
    ///
    /// ```
    /// assert!(!mocket_router::Pattern::parse("/a/*").unwrap().is_static());
    /// ```
    pub fn is_static(&self) -> bool {
        self.is_static
    }
}

/// Splits `pattern` into segments, rejecting anything outside the grammar.
pub(crate) fn parse(pattern: &str) -> Result<Vec<Segment<'_>>, InsertError> {
    let invalid = |reason: String| InsertError::InvalidPattern {
        pattern: pattern.to_owned(),
        reason,
    };
    let Some(rest) = pattern.strip_prefix('/') else {
        return Err(invalid("a pattern must start with `/`".to_owned()));
    };
    if rest.is_empty() {
        // The root pattern `/` has zero segments.
        return Ok(Vec::new());
    }
    let mut segments = Vec::with_capacity(rest.split('/').count());
    for text in rest.split('/') {
        let segment = classify(text).map_err(invalid)?;
        if let (Segment::Glob(_), Some(Segment::Glob(_))) = (segment, segments.last()) {
            return Err(invalid(
                "`**` cannot directly follow another `**`: how to split segments between them \
                 would be ambiguous"
                    .to_owned(),
            ));
        }
        if let Some(name) = segment.name()
            && segments
                .iter()
                .any(|s: &Segment<'_>| s.name() == Some(name))
        {
            return Err(invalid(format!(
                "parameter name `{name}` is used twice; every parameter needs its own name"
            )));
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// Decides the kind of one segment and validates its name.
pub(crate) fn classify(text: &str) -> Result<Segment<'_>, String> {
    if let Some(name) = text.strip_prefix("**") {
        return wildcard_name(name, "**").map(Segment::Glob);
    }
    if let Some(name) = text.strip_prefix('*') {
        return wildcard_name(name, "*").map(Segment::Star);
    }
    if let Some(name) = text.strip_prefix(':') {
        if name.is_empty() {
            return Err("`:` must be followed by a parameter name".to_owned());
        }
        return check_name(name).map(|()| Segment::Param(name));
    }
    if text.contains('*') {
        return Err(format!(
            "segment `{text}` mixes text and `*`; wildcards must be a whole segment \
             (`*`, `*name`, `**`, `**name`)"
        ));
    }
    Ok(Segment::Static(text))
}

/// An unnamed wildcard is named after its own sigil (`*` or `**`).
fn wildcard_name<'a>(name: &'a str, sigil: &'static str) -> Result<&'a str, String> {
    if name.is_empty() {
        Ok(sigil)
    } else {
        check_name(name).map(|()| name)
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(format!(
            "parameter name `{name}` may only contain ASCII letters, digits and `_`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{Segment, parse};

    #[test]
    fn splits_segments() {
        let parsed = parse("/a/:b/*/*c/**/x/**d/").expect("valid");
        assert_eq!(
            parsed,
            [
                Segment::Static("a"),
                Segment::Param("b"),
                Segment::Star("*"),
                Segment::Star("c"),
                Segment::Glob("**"),
                Segment::Static("x"),
                Segment::Glob("d"),
                Segment::Static(""),
            ]
        );
        assert_eq!(parse("/").expect("valid"), []);
        assert_eq!(parse("//").expect("valid"), [Segment::Static(""); 2]);
    }
}
