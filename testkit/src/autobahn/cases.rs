//! Choosing cases: kosoku's `-i` and `-x` globs, and case ids in order.

use std::fmt;

/// Which cases to run: kosoku's `-i` (include) and `-x` (exclude) options,
/// each a case id (`7.1.5`) or a `*` glob (`9.*`, `12.2.*`).
///
/// An include pattern that matches no case is an error of kosoku's (`no
/// cases match pattern`); an exclude pattern that matches none is fine.
/// kosoku 0.1.0 takes no spec file (`--spec` says "not implemented yet"),
/// so `fuzzingclient.json`'s `cases` and `exclude-cases` are these.
///
/// ```
/// use mocket_testkit::autobahn::Cases;
/// let cases = Cases::only(&["1.*", "2.*"]).except(&["2.10"]);
/// assert_eq!(cases.args(), ["-i", "1.*", "-i", "2.*", "-x", "2.10"]);
/// assert_eq!(Cases::all_but(&["12.*", "13.*"]), Cases::rfc6455());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cases {
    /// `None`: the whole suite.
    include: Option<Vec<String>>,
    exclude: Vec<String>,
}

impl Cases {
    /// Every case: 1.–10. and the permessage-deflate ones, 12. and 13. (517
    /// in kosoku 0.1.0).
    ///
    /// ```
    /// assert!(mocket_testkit::autobahn::Cases::all().args().is_empty());
    /// ```
    pub fn all() -> Cases {
        Cases::default()
    }

    /// RFC 6455 without compression: every case but 12. and 13. (301).
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::rfc6455();
    /// assert_eq!(cases.args(), ["-x", "12.*", "-x", "13.*"]);
    /// ```
    pub fn rfc6455() -> Cases {
        Cases::all_but(&["12.*", "13.*"])
    }

    /// Only the cases `patterns` match. At least one pattern is needed:
    /// [`run`](super::run) refuses an empty list rather than run the whole suite.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::only(&["1.*", "7.1.5"]);
    /// assert_eq!(cases.args(), ["-i", "1.*", "-i", "7.1.5"]);
    /// ```
    pub fn only(patterns: &[&str]) -> Cases {
        Cases {
            include: Some(patterns.iter().map(|p| (*p).to_owned()).collect()),
            exclude: Vec::new(),
        }
    }

    /// Every case but those `patterns` match.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::all_but(&["9.*"]);
    /// assert_eq!(cases.args(), ["-x", "9.*"]);
    /// ```
    pub fn all_but(patterns: &[&str]) -> Cases {
        Cases::all().except(patterns)
    }

    /// These cases less those `patterns` match.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::rfc6455().except(&["9.*"]);
    /// assert_eq!(cases.args(), ["-x", "12.*", "-x", "13.*", "-x", "9.*"]);
    /// ```
    pub fn except(mut self, patterns: &[&str]) -> Cases {
        self.exclude
            .extend(patterns.iter().map(|p| (*p).to_owned()));
        self
    }

    /// kosoku's arguments for this selection.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::only(&["5.*"]);
    /// assert_eq!(cases.args(), ["-i", "5.*"]);
    /// ```
    pub fn args(&self) -> Vec<String> {
        let include = self.include.iter().flatten().map(|p| ("-i", p));
        let exclude = self.exclude.iter().map(|p| ("-x", p));
        include
            .chain(exclude)
            .flat_map(|(flag, p)| [flag.to_owned(), p.clone()])
            .collect()
    }

    /// Why kosoku would not take this selection, if it would not.
    pub(super) fn check(&self) -> Result<(), String> {
        if self.include.as_ref().is_some_and(Vec::is_empty) {
            return Err(
                "Cases::only was given no pattern: say which cases, or use Cases::all".into(),
            );
        }
        let all = self.include.iter().flatten().chain(&self.exclude);
        match all
            .into_iter()
            .find(|p| p.trim().is_empty() || p.starts_with('-'))
        {
            Some(p) => Err(format!("{p:?} is no case id or glob (like 7.1.5 or 9.*)")),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Cases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.include {
            None => f.write_str("all cases")?,
            Some(p) => write!(f, "cases {}", p.join(" "))?,
        }
        if !self.exclude.is_empty() {
            write!(f, " but {}", self.exclude.join(" "))?;
        }
        Ok(())
    }
}

/// `7.13.2` as numbers, so that 1.2.10 sorts after 1.2.9.
pub(super) fn case_order(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections() {
        assert!(Cases::only(&[]).check().is_err());
        assert!(Cases::only(&["-p"]).check().is_err());
        assert!(Cases::rfc6455().except(&["9.*"]).check().is_ok());
        assert_eq!(
            Cases::only(&["1.*"]).except(&["1.1.8"]).to_string(),
            "cases 1.* but 1.1.8"
        );
    }
}
