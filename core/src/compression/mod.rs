//! Response compression: gzip and Brotli, negotiated with `Accept-Encoding`.
//!
//! [`Compression`] (cargo feature `compression`, on by default in the
//! `mocket` crate) is a middleware in the style of tower-http's
//! `CompressionLayer` and Hono's `compress()`. It compresses a response
//! when all of these hold:
//!
//! - the client accepts gzip or `br` ([`Encoding::negotiate`]: q-values,
//!   `*`, `identity`; Brotli wins ties);
//! - the status has content to compress: not 1xx, 204, 304 or 206 (nor any
//!   response with `Content-Range`: ranges are of the uncompressed bytes);
//! - the response has no `Content-Encoding` yet and no
//!   `Cache-Control: no-transform`;
//! - its body is at least [`Compression::min_size`] bytes (1 KiB by
//!   default) when the length is known;
//! - its content type is compressible ([`is_compressible`], replaceable
//!   with [`Compression::content_types`]).
//!
//! Every response that passes all but the first check gets
//! `Vary: Accept-Encoding` (added to any `Vary` already there), compressed
//! or not, as tower-http does: its representation depends on that header.
//! A compressed response gets `Content-Encoding`, loses `Content-Length`
//! (a complete body is compressed at once and sent with its new length; a
//! streamed one is compressed chunk by chunk and sent as it comes) and
//! `Accept-Ranges`, and a strong `ETag` becomes weak. A complete body that
//! does not shrink is sent as it was. A HEAD request gets the headers a GET
//! would, `Content-Length` included (so a complete body is compressed for
//! it too; a streamed one is not, and has no length).
//!
//! Memory: a streamed response holds its encoder until it ends, about
//! 350 KB for gzip and up to about 1.1 MB for Brotli (whose window is
//! capped at 256 KiB for streams), which matters for many long-lived
//! streams such as server-sent events.

#[cfg(feature = "compression")]
mod encoder;
#[cfg(feature = "compression")]
mod middleware;
mod negotiate;

#[cfg(feature = "compression")]
pub use middleware::{Compression, CompressionFuture, CompressionMiddleware, DEFAULT_MIN_SIZE};
pub use negotiate::Encoding;

/// Whether a media type (lowercase, without parameters; `""` when the
/// response has none) is worth compressing: everything but formats that are
/// compressed already — images other than SVG, audio, video, WOFF fonts,
/// archives — and `application/octet-stream`, which is usually one of them.
/// gRPC, which compresses its own messages, is left alone too.
///
/// ```
/// use mocket_core::compression::is_compressible;
/// assert!(is_compressible("text/html"));
/// assert!(is_compressible("application/json"));
/// assert!(is_compressible("image/svg+xml"));
/// assert!(!is_compressible("image/png"));
/// assert!(!is_compressible("application/zip"));
/// ```
pub fn is_compressible(content_type: &str) -> bool {
    let Some((kind, subtype)) = content_type.split_once('/') else {
        return true;
    };
    match kind {
        "image" => subtype == "svg+xml",
        "audio" | "video" => false,
        "font" => !matches!(subtype, "woff" | "woff2"),
        "application" => {
            !matches!(
                subtype,
                "octet-stream"
                    | "zip"
                    | "gzip"
                    | "x-gzip"
                    | "x-bzip2"
                    | "x-xz"
                    | "x-7z-compressed"
                    | "x-rar-compressed"
                    | "vnd.rar"
                    | "zstd"
                    | "x-compress"
                    | "grpc"
            ) && !subtype.starts_with("grpc+")
        }
        _ => true,
    }
}
