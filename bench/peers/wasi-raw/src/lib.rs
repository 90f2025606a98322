//! The benchmark routes of ROUTES.md as a raw `wasi:http/proxy` component:
//! the `wasi` crate's bindings, a hand-written match on method and path, no
//! framework. Served by `wasmtime serve --addr 127.0.0.1:$PORT` (the host
//! owns the socket, so the port is the host's).
//!
//! The match itself is `peer_common::raw::route`, shared with the raw
//! `wasi:sockets` server (peers/wasi-sockets-raw); this file is only the
//! `wasi:http` glue: the request's body stream in, the response out.
//!
//! `wasmtime serve` instantiates the component afresh for every request (the
//! default for WASIp2 components), so anything built "once per instance" —
//! here the 1000-entry static route table — is built once per request.

use peer_common::raw::{BODY_LIMIT, Res, route, static_routes, status};
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::streams::StreamError;

wasi::http::proxy::export!(Component);

struct Component;

fn read_body(req: &IncomingRequest) -> Result<Vec<u8>, Res> {
    let body = req.consume().map_err(|()| status(500))?;
    let stream = body.stream().map_err(|()| status(500))?;
    let mut data = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => {
                data.extend_from_slice(&chunk);
                if data.len() > BODY_LIMIT {
                    return Err(status(413));
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => return Err(status(400)),
        }
    }
    drop(stream);
    IncomingBody::finish(body);
    Ok(data)
}

fn handle(req: &IncomingRequest) -> Res {
    // `route` tells only GET and POST from the rest.
    let method = match req.method() {
        Method::Get => "GET",
        Method::Post => "POST",
        _ => "",
    };
    let target = req.path_with_query().unwrap_or_default();
    route(
        method,
        &target,
        || req.headers().get("content-type"),
        || read_body(req),
    )
}

fn send(res: Res, out: ResponseOutparam) {
    let mut fields: Vec<(String, Vec<u8>)> = res
        .headers
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
        .collect();
    fields.push((
        "content-length".to_owned(),
        res.body.len().to_string().into_bytes(),
    ));
    let headers = Fields::from_list(&fields).expect("valid headers");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(res.status).expect("valid status");
    let body = response.body().expect("body taken once");
    ResponseOutparam::set(out, Ok(response));
    let stream = body.write().expect("stream taken once");
    for chunk in res.body.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return; // the client went away
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
}

impl wasi::exports::http::incoming_handler::Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        if cfg!(feature = "eager-table") {
            static_routes();
        }
        send(handle(&request), response_out);
    }
}
