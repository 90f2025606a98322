//! Mode 1: writing the core's answer back to the `wasi:http` host.
//!
//! The status and headers go out as soon as the answer exists, as the core
//! framed them. A small body already complete is then written with
//! blocking calls, as a plain component writes it; any other body frame by
//! frame as the app produces it, with the host's backpressure
//! (`check-write`) respected, and trailers are passed on.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use http::HeaderMap;
use http_body::Body as _;
use http_body_util::BodyExt;
use mocket_core::Body;
use mocket_core::backend::{Framing, Outgoing};
use wasip2::http::types::{
    ErrorCode, Fields, OutgoingBody, OutgoingResponse, ResponseOutparam, Trailers,
};

use crate::executor::Registration;
use crate::output;

/// Sends the answer through `out`: the head at once, then the body as it
/// comes.
pub(crate) async fn send(out: ResponseOutparam, mut answer: Outgoing) {
    // A body complete already goes out with its length, as a known one does.
    answer.try_complete();
    answer.declare_length();
    let framing = answer.framing;
    let (parts, body) = answer.response.into_parts();
    let response = OutgoingResponse::new(fields(&parts.headers));
    // Every `StatusCode` (100–999) is a valid wasi:http status.
    let _ = response.set_status_code(parts.status.as_u16());
    let Ok(outgoing) = response.body() else {
        let why = "the response's content-length is invalid".to_owned();
        return ResponseOutparam::set(out, Err(ErrorCode::InternalError(Some(why))));
    };
    ResponseOutparam::set(out, Ok(response));

    let written = match body.as_bytes() {
        // A small body in hand (`try_complete` made a ready one whole) is
        // written as a plain component writes it: blocking calls, each a
        // write and a flush the host waits on. The async path costs a
        // pollable and several more host calls, and waiting here holds up
        // at most the instance's own background tasks for as long as the
        // host takes these bytes.
        Some(bytes) if bytes.len() <= BLOCKING_WRITE_LIMIT => {
            write_blocking(&outgoing, bytes).map(|()| None)
        }
        _ => write_body(&outgoing, body).await,
    };
    match written {
        Ok(trailers) => match OutgoingBody::finish(outgoing, trailers) {
            // A HEAD answer keeps the GET answer's `content-length` but has
            // no body. The host counts that as a short body, but sends no
            // body for HEAD anyway (wasmtime and jco both send the head
            // intact), so this refusal is expected and harmless. (jco
            // names it as the request's body size.)
            Err(ErrorCode::HttpResponseBodySize(_) | ErrorCode::HttpRequestBodySize(_))
                if framing == Framing::Bodiless => {}
            Err(e) => tracing::debug!(error = ?e, "the host refused the finished response body"),
            Ok(()) => {}
        },
        // Dropping the body without `finish` tells the host it is incomplete.
        Err(e) => tracing::debug!(error = %e, "the response body was cut short"),
    }
}

/// The largest complete body [`send`] writes with blocking calls.
const BLOCKING_WRITE_LIMIT: usize = 64 * 1024;

/// The most one `blocking-write-and-flush` takes (wasi:io's limit).
const BLOCKING_CHUNK: usize = 4096;

/// Writes `bytes` with blocking calls; nothing to write opens no stream.
fn write_blocking(outgoing: &OutgoingBody, bytes: &[u8]) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let stream = outgoing
        .write()
        .map_err(|()| io::Error::other("the response body stream was already taken"))?;
    for chunk in bytes.chunks(BLOCKING_CHUNK) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(output::stream_error)?;
    }
    Ok(())
}

/// Writes every data frame; returns the trailers, if any.
async fn write_body(outgoing: &OutgoingBody, mut body: Body) -> io::Result<Option<Trailers>> {
    if http_body::Body::is_end_stream(&body) {
        return Ok(None);
    }
    let stream = outgoing
        .write()
        .map_err(|()| io::Error::other("the response body stream was already taken"))?;
    // Dropped before the stream it was subscribed from.
    let ready = Registration::new(stream.subscribe());
    let mut trailers = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(io::Error::other)?;
        match frame.into_data() {
            Ok(chunk) => output::write_all(&stream, &ready, &chunk).await?,
            Err(frame) => {
                if let Ok(map) = frame.into_trailers() {
                    trailers = Some(fields(&map));
                }
            }
        }
    }
    // Everything written must reach the host before the stream is dropped.
    output::flush(&stream, &ready).await?;
    drop(ready);
    Ok(trailers)
}

/// Answers at once, with blocking writes, for places that cannot await
/// (the panic hook). The body is whatever of it is ready without waiting:
/// all of it for the answers error handlers produce.
pub(crate) fn answer_now(out: ResponseOutparam, mut answer: Outgoing) {
    answer.declare_length();
    let (parts, mut body) = answer.response.into_parts();
    let bytes = ready_bytes(&mut body);
    let response = OutgoingResponse::new(fields(&parts.headers));
    let _ = response.set_status_code(parts.status.as_u16());
    let Ok(outgoing) = response.body() else {
        return;
    };
    ResponseOutparam::set(out, Ok(response));
    // A client gone away leaves nothing else to do.
    let _ = write_blocking(&outgoing, &bytes);
    let _ = OutgoingBody::finish(outgoing, None);
}

/// The frames of `body` that are ready now, without waiting for more.
fn ready_bytes(body: &mut Body) -> Vec<u8> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut bytes = Vec::new();
    while let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut *body).poll_frame(&mut cx) {
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
        }
    }
    bytes
}

/// The headers as wasi:http fields, in one host call when the host accepts
/// them all. Hosts refuse some names (`connection`, `transfer-encoding`,
/// `keep-alive`, `upgrade`, `host`, …: they manage those themselves); those
/// are left out rather than failing the response.
fn fields(headers: &HeaderMap) -> Fields {
    let list: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    if let Ok(fields) = Fields::from_list(&list) {
        return fields;
    }
    let fields = Fields::new();
    for (name, value) in &list {
        if let Err(e) = fields.append(name, value) {
            tracing::debug!(header = %name, error = ?e, "the host refused a response header");
        }
    }
    fields
}
