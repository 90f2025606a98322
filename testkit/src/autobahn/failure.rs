//! A failed case in the words of its own report.

use std::fmt;
use std::fs;

use serde_json::Value;

use super::report::{Behavior, CaseResult};

/// A failed case with the words of its own report: why it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The case's line of the index.
    pub case: CaseResult,
    /// What kosoku sent (the case's `description`).
    pub description: String,
    /// What a conforming server does (`expectation`).
    pub expectation: String,
    /// The verdict on the messages, in words (`result`).
    pub result: String,
    /// The verdict on the closing handshake, in words (`resultClose`).
    pub result_close: String,
    /// The close reason the server sent, if any.
    pub remote_close_reason: Option<String>,
    /// Why the close was not clean, if kosoku says.
    pub not_clean_reason: Option<String>,
    /// The events expected, by verdict, as compact JSON (cut at 300
    /// characters).
    pub expected: String,
    /// The events received, likewise.
    pub received: String,
}

impl Failure {
    /// Reads `case`'s own report for the words; a report that cannot be
    /// read leaves them saying so.
    pub(super) fn read(case: &CaseResult) -> Failure {
        let parsed = fs::read_to_string(&case.report_file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
        let (json, unreadable) = match parsed {
            Ok(json) => (json, None),
            Err(e) => (
                Value::Null,
                Some(format!(
                    "(its report {} cannot be read: {e})",
                    case.report_file.display()
                )),
            ),
        };
        let text = |key: &str| {
            json.get(key)
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default()
        };
        let optional = |key: &str| json.get(key).and_then(Value::as_str).map(clean);
        let events = |key: &str| {
            json.get(key)
                .map(|v| cut(&v.to_string(), 300))
                .unwrap_or_default()
        };
        Failure {
            case: case.clone(),
            description: unreadable.unwrap_or_else(|| text("description")),
            expectation: text("expectation"),
            result: text("result"),
            result_close: text("resultClose"),
            remote_close_reason: optional("remoteCloseReason").filter(|r| !r.is_empty()),
            not_clean_reason: optional("wasNotCleanReason"),
            expected: events("expected"),
            received: events("received"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let case = &self.case;
        write!(
            f,
            "{}: {}, close {}",
            case.id, case.behavior, case.behavior_close
        )?;
        match (case.remote_close_code, &self.remote_close_reason) {
            (Some(code), Some(reason)) => write!(f, " (peer sent {code} {reason:?})")?,
            (Some(code), None) => write!(f, " (peer sent {code})")?,
            (None, _) => f.write_str(" (peer sent no close code)")?,
        }
        writeln!(f, ", {} ms", case.duration.as_millis())?;
        let indent = "\n              ";
        let field = |f: &mut fmt::Formatter<'_>, name: &str, value: &str| {
            if value.is_empty() {
                return Ok(());
            }
            writeln!(f, "    {name:<9} {}", value.replace('\n', indent))
        };
        field(f, "case:", &self.description)?;
        field(f, "expected:", &self.expectation)?;
        field(f, "outcome:", &self.result)?;
        field(f, "closing:", &self.result_close)?;
        if let Some(why) = &self.not_clean_reason {
            field(f, "unclean:", why)?;
        }
        let nothing = |events: &str| matches!(events, "" | "{}" | "[]");
        if !nothing(&self.expected) || !nothing(&self.received) {
            field(
                f,
                "events:",
                &format!("expected {}, received {}", self.expected, self.received),
            )?;
        }
        if self.case.behavior == Behavior::Error
            && self.result.contains("must be encoded before hashing")
        {
            field(
                f,
                "note:",
                "a crash of kosoku 0.1.0 on a text message echoed uncompressed with permessage-deflate, which RFC 7692 allows: compress every message to pass, or leave the case out",
            )?;
        }
        write!(
            f,
            "    report:   {}",
            case.report_file.with_extension("html").display()
        )
    }
}

/// Autobahn's texts are HTML fragments: `<br>` becomes a line break, `<b>`
/// goes.
fn clean(text: &str) -> String {
    text.replace("<br>", "\n")
        .replace("<b>", "")
        .replace("</b>", "")
        .trim()
        .to_owned()
}

/// `text` cut to `max` characters, marked when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &text[..at]),
        None => text.to_owned(),
    }
}
