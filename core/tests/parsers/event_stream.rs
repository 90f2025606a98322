//! A `text/event-stream` parser written from the HTML standard's "event
//! stream interpretation" (WHATWG HTML §9.2.6), to read back what
//! `mocket_core::sse` writes as a browser would. Shared with the fuzz
//! target `core/fuzz/fuzz_targets/sse.rs`.

/// What one dispatch (a blank line) leaves: the event fired, if any, and
/// the stream's state after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dispatch {
    /// The `MessageEvent` fired: its type and data. `None` when the data
    /// buffer was empty (no event fires).
    pub(crate) event: Option<(String, String)>,
    /// The event source's last event ID string.
    pub(crate) last_event_id: String,
    /// The reconnection time in milliseconds, once a `retry` set it.
    pub(crate) retry: Option<u128>,
}

/// Parses a whole stream; the bytes after the last blank line (an event
/// not finished) are discarded, as the standard says.
pub(crate) fn parse(stream: &[u8]) -> Vec<Dispatch> {
    // "decoded as UTF-8", replacing errors; one leading BOM is dropped.
    let text = String::from_utf8_lossy(stream);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut out = Vec::new();
    let (mut data, mut kind, mut id_buffer) = (String::new(), String::new(), String::new());
    let mut retry = None;
    let mut rest = text;
    // Each line ends with CRLF, LF or CR; a last line without one is
    // incomplete, and never dispatched.
    while let Some(end) = rest.find(['\r', '\n']) {
        let line = &rest[..end];
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
        if line.is_empty() {
            // Dispatch.
            let event = if data.is_empty() {
                None
            } else {
                let mut data = std::mem::take(&mut data);
                if data.ends_with('\n') {
                    data.pop();
                }
                let kind = if kind.is_empty() {
                    "message".to_owned()
                } else {
                    kind.clone()
                };
                Some((kind, data))
            };
            data.clear();
            kind.clear();
            out.push(Dispatch {
                event,
                last_event_id: id_buffer.clone(),
                retry,
            });
            continue;
        }
        if line.starts_with(':') {
            continue; // a comment
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut kind),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut id_buffer),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                retry = value.parse().ok();
            }
            _ => {} // ignored
        }
    }
    out
}
