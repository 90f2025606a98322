//! Insertion errors.
//!
//! Every variant owns the offending pattern so the message can be shown
//! without the router around: route tables are usually built once at
//! start-up and an error there should say exactly which line to fix.

use std::fmt;

/// Why [`Router::insert`](crate::Router::insert) or
/// [`Router::entry`](crate::Router::entry) refused a pattern.
///
/// ```
/// use mocket_router::{InsertError, Router};
///
/// let mut router = Router::new();
/// router.insert("/a/:x", 1).unwrap();
///
/// let err = router.insert("/a/:y", 2).unwrap_err();
/// assert!(matches!(err, InsertError::Conflict { .. }));
/// assert_eq!(
///     err.to_string(),
///     r#"route pattern "/a/:y" conflicts with "/a/:x": same shape, different parameter names"#,
/// );
///
/// let err = router.insert("a", 3).unwrap_err();
/// assert!(matches!(err, InsertError::InvalidPattern { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsertError {
    /// The pattern is not valid pattern syntax; `reason` says what is wrong.
    InvalidPattern {
        /// The rejected pattern.
        pattern: String,
        /// A human-readable explanation.
        reason: String,
    },
    /// [`Router::insert`](crate::Router::insert) was given a pattern that
    /// already has a value.
    Duplicate {
        /// The pattern that is already registered.
        pattern: String,
    },
    /// The pattern has the same shape as a registered one (same static
    /// text, same parameter kinds at the same positions) but different
    /// parameter names, so the two could never be told apart.
    Conflict {
        /// The rejected pattern.
        pattern: String,
        /// The registered pattern it collides with.
        existing: String,
    },
}

impl fmt::Display for InsertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InsertError::InvalidPattern { pattern, reason } => {
                write!(f, "invalid route pattern {pattern:?}: {reason}")
            }
            InsertError::Duplicate { pattern } => {
                write!(f, "route pattern {pattern:?} is already registered")
            }
            InsertError::Conflict { pattern, existing } => write!(
                f,
                "route pattern {pattern:?} conflicts with {existing:?}: \
                 same shape, different parameter names"
            ),
        }
    }
}

impl std::error::Error for InsertError {}
