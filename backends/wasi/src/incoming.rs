//! Mode 1: a `wasi:http` incoming request as an `http::Request<Body>`.
//!
//! The head is copied once (the host hands over all headers in one call).
//! The body is left with the host: [`RequestBody`] opens the request's body
//! stream only when the core first polls it, and pulls one chunk per poll,
//! so a handler that never reads the body costs no body calls, and a body
//! over the limit is never read past it.
//!
//! A body the app leaves unfinished is kept until the response has gone
//! out, then drained if the core says so ([`finish_leftover`]): a
//! component may not answer `connection: close`, and a host whose request
//! body was dropped half-read closes the connection without saying so
//! (`wasmtime serve` does, whenever the body it had read ahead by then was
//! not all of it). Draining a small rest keeps the connection usable.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::HOST;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use mocket_core::backend::{
    CHUNK_SIZE, Chunk, ChunkSource, DRAIN_LIMIT, DRAIN_TIME, Service, declared_length, head_size,
    may_have_body_unframed,
};
use mocket_core::{Body, IntoRequest};
use wasip2::clocks::monotonic_clock;
use wasip2::http::types::{IncomingBody, IncomingRequest, Method as WasiMethod};
use wasip2::io::poll;
use wasip2::io::streams::{InputStream, StreamError};

use crate::executor::{Registration, Wait};

thread_local! {
    /// The request body the app dropped unfinished, kept for
    /// [`drain_leftover`]. One request runs per instance at a time.
    static LEFTOVER: RefCell<Option<Leftover>> = const { RefCell::new(None) };
}

/// An unfinished request body, without its reactor registrations.
struct Leftover {
    body: Unfinished,
    /// The head announced a body (see [`RequestBody`]).
    announced: bool,
}

/// Fields drop in order, children before parents.
enum Unfinished {
    Unopened(IncomingRequest),
    Open {
        stream: InputStream,
        _body: IncomingBody,
        _request: IncomingRequest,
    },
}

/// Converts the host's request. `Err` is a status to answer without
/// calling the app: 431 when the head is over `max_header_bytes`, 400 when
/// it cannot be represented.
pub(crate) fn convert(
    request: IncomingRequest,
    service: &Service,
) -> Result<http::Request<Body>, StatusCode> {
    fn bad<E>(_: E) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
    let method = method(request.method()).ok_or(StatusCode::BAD_REQUEST)?;
    let target = request.path_with_query().unwrap_or_else(|| "/".to_owned());
    // `headers` is a child of the request: drop it before the request moves.
    let entries = request.headers().entries();
    let mut headers = HeaderMap::with_capacity(entries.len() + 1);
    for (name, value) in entries {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(bad)?;
        let value = HeaderValue::from_maybe_shared(Bytes::from(value)).map_err(bad)?;
        headers.append(name, value);
    }
    // Hosts keep `host` out of the header list (it is a forbidden header in
    // wasi:http) and hand it over as the authority; apps expect the header.
    if !headers.contains_key(HOST)
        && let Some(authority) = request.authority()
    {
        headers.insert(HOST, HeaderValue::try_from(authority).map_err(bad)?);
    }
    if head_size(&method, &target, &headers) > service.options().max_header_bytes {
        return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    let declared = declared_length(&headers);
    // An unparsable target becomes a request the core answers with 400.
    let mut req = target.as_str().into_request();
    *req.method_mut() = method;
    *req.version_mut() = Version::HTTP_11;
    *req.headers_mut() = headers;
    *req.body_mut() = match declared {
        Some(0) => Body::empty(),
        _ => Body::from_chunks(
            RequestBody::new(
                request,
                declared,
                may_have_body_unframed(req.method(), req.headers()),
                service.body_limit(),
            ),
            declared,
        ),
    };
    Ok(req)
}

fn method(method: WasiMethod) -> Option<Method> {
    Some(match method {
        WasiMethod::Get => Method::GET,
        WasiMethod::Head => Method::HEAD,
        WasiMethod::Post => Method::POST,
        WasiMethod::Put => Method::PUT,
        WasiMethod::Delete => Method::DELETE,
        WasiMethod::Connect => Method::CONNECT,
        WasiMethod::Options => Method::OPTIONS,
        WasiMethod::Trace => Method::TRACE,
        WasiMethod::Patch => Method::PATCH,
        WasiMethod::Other(token) => Method::from_bytes(token.as_bytes()).ok()?,
    })
}

/// A request body pulled from the host as it is read.
pub(crate) struct RequestBody {
    state: State,
    /// `content-length`, when declared.
    declared: Option<u64>,
    /// Bytes handed out so far.
    read: u64,
    /// The request may carry a body ([`may_have_body_unframed`]: hosts
    /// keep `transfer-encoding` to themselves). Should a GET send a
    /// chunked body the app leaves unread, the host closes that connection.
    announced: bool,
    /// The app's body limit: while under it, a read never asks for more
    /// than one byte past it, so the core's readers see the overflow
    /// without anything beyond it leaving the host.
    limit: u64,
}

enum State {
    /// The body stream is not open yet.
    Unopened(IncomingRequest),
    Open(Open),
    Done,
}

/// An open body stream. Fields drop in order, children before parents:
/// the wait, the pollable, the stream, the body, the request.
struct Open {
    wait: Option<Wait>,
    ready: Registration,
    stream: InputStream,
    _body: IncomingBody,
    _request: IncomingRequest,
}

impl RequestBody {
    fn new(request: IncomingRequest, declared: Option<u64>, announced: bool, limit: usize) -> Self {
        RequestBody {
            state: State::Unopened(request),
            declared,
            read: 0,
            announced,
            limit: limit as u64,
        }
    }

    fn open(request: IncomingRequest) -> io::Result<Open> {
        let body = request
            .consume()
            .map_err(|()| io::Error::other("the request body was already taken"))?;
        let stream = body
            .stream()
            .map_err(|()| io::Error::other("the request body stream was already taken"))?;
        Ok(Open {
            wait: None,
            ready: Registration::new(stream.subscribe()),
            stream,
            _body: body,
            _request: request,
        })
    }

    /// The most to ask the host for next: while under the app's body
    /// limit, one byte past it at most, so the core's readers see the
    /// overflow without more than that leaving the host.
    fn next_read_size(&self) -> u64 {
        if self.read <= self.limit {
            self.limit + 1 - self.read
        } else {
            u64::MAX
        }
    }
}

impl Drop for RequestBody {
    /// Keeps an unfinished body for [`drain_leftover`].
    fn drop(&mut self) {
        if self.declared == Some(self.read) {
            return;
        }
        let body = match std::mem::replace(&mut self.state, State::Done) {
            State::Done => return,
            State::Unopened(request) => Unfinished::Unopened(request),
            State::Open(Open {
                wait,
                ready,
                stream,
                _body,
                _request,
            }) => {
                // Off the reactor now: the drain polls without it.
                drop(wait);
                drop(ready);
                Unfinished::Open {
                    stream,
                    _body,
                    _request,
                }
            }
        };
        let leftover = Leftover {
            body,
            announced: self.announced,
        };
        // Never panics in a destructor: at worst the body is dropped now.
        let _ = LEFTOVER.try_with(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                *slot = Some(leftover);
            }
        });
    }
}

/// After the response went out: reads and drops what is left of a request
/// body the app did not finish when `drain` (the core's decision: at most
/// [`DRAIN_LIMIT`] bytes, for at most [`DRAIN_TIME`]), so that the host
/// sees the whole request and can keep the connection; otherwise lets it
/// go, and the host closes the connection.
pub(crate) fn finish_leftover(drain: bool) {
    let Some(leftover) = LEFTOVER
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
        .ok()
        .flatten()
    else {
        return;
    };
    // A GET or HEAD without a length, its body never opened: nothing to
    // drain (draining it anyway cost every GET a wait on the host). It is
    // dropped after the answer.
    let unannounced = !leftover.announced && matches!(leftover.body, Unfinished::Unopened(_));
    if !drain || unannounced {
        return;
    }
    let (stream, body, request) = match leftover.body {
        Unfinished::Unopened(request) => {
            let Ok(body) = request.consume() else { return };
            let Ok(stream) = body.stream() else { return };
            (stream, body, request)
        }
        Unfinished::Open {
            stream,
            _body,
            _request,
        } => (stream, _body, _request),
    };
    {
        let ready = stream.subscribe();
        let deadline = monotonic_clock::subscribe_duration(DRAIN_TIME.as_nanos() as u64);
        let mut drained = 0u64;
        loop {
            match stream.read(CHUNK_SIZE as u64) {
                Ok(chunk) if chunk.is_empty() => {
                    // Index 1 is the deadline.
                    if poll::poll(&[&ready, &deadline]).contains(&1) {
                        break;
                    }
                }
                Ok(chunk) => {
                    drained += chunk.len() as u64;
                    if drained > DRAIN_LIMIT {
                        break;
                    }
                }
                // Closed: the host has the whole body.
                Err(_) => break,
            }
        }
    }
    drop(stream);
    drop(body);
    drop(request);
}

impl ChunkSource for RequestBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<Chunk> {
        let want = (want as u64).min(self.next_read_size());
        loop {
            match &mut self.state {
                State::Done => return Poll::Ready(Ok(None)),
                State::Unopened(_) => {
                    let State::Unopened(request) = std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched just above")
                    };
                    self.state = State::Open(Self::open(request)?);
                }
                State::Open(open) => {
                    if let Some(wait) = open.wait.as_mut() {
                        ready!(Pin::new(wait).poll(cx));
                        open.wait = None;
                    }
                    match open.stream.read(want) {
                        // Nothing buffered yet: wait for the host.
                        Ok(chunk) if chunk.is_empty() => open.wait = Some(open.ready.wait()),
                        Ok(chunk) => {
                            self.read += chunk.len() as u64;
                            return Poll::Ready(Ok(Some(Bytes::from(chunk))));
                        }
                        Err(StreamError::Closed) => {
                            self.state = State::Done;
                            return Poll::Ready(Ok(None));
                        }
                        Err(StreamError::LastOperationFailed(e)) => {
                            self.state = State::Done;
                            return Poll::Ready(Err(io::Error::other(e.to_debug_string())));
                        }
                    }
                }
            }
        }
    }
}
