'use strict';
// Mocket's Node.js host, upgraded connections (WebSocket): a wasm-bindgen
// snippet like host.js, which requires it.
//
// Node emits 'upgrade' (req, socket, head) instead of 'request' for a
// request with `connection: upgrade`, and the raw `net.Socket` is then
// ours. host.js hands the request to the app like any other (the same head
// buffer, no body) and passes the answer to `deliver` here:
//
// - A 101 whose body is a number takes the connection over: the number is
//   the id of the upgrade the Rust side parked. Its head is written on the
//   socket, then `runUpgrade(id, conn, head)` starts the upgrade on it
//   (`head`: the bytes Node read past the request head). From then on each
//   'data' chunk is one `socketEvent` call into wasm, and each write of the
//   Rust side one `socketWrite` call out (src/upgrade.rs): coarse crossings,
//   never one per byte or per frame. Backpressure both ways: `socketEvent`
//   answers PAUSE when too much waits unread in wasm (the socket is paused
//   until the Rust side reads and calls `socketResume`), and `socketWrite`
//   answers WRITE_FULL when `socket.write` returned false (the Rust side
//   waits for the 'drain' event, passed on as EVENT_DRAIN).
// - Anything else (a refusal: 426, 401, 404…) is written as an ordinary
//   HTTP/1.1 response with `connection: close`, and the socket is ended.
//
// A socket whose instance traps is destroyed (`destroyAll`, from host.js's
// `retire`), and so are those still open when the shutdown's grace period
// ends (`destroyOpen`).

const { STATUS_CODES } = require('node:http');

const CONN = Symbol('mocket.upgraded');
const WATCHED = Symbol('mocket.upgrade.watched');

// Socket events, as src/upgrade.rs numbers them.
const EVENT_DATA = 0;
const EVENT_END = 1;
const EVENT_ERROR = 2;
const EVENT_DRAIN = 3;
const EVENT_CLOSE = 4;
// `socketEvent`'s answer.
const PAUSE = 1;
// `socketWrite`'s answers.
const WRITE_OK = 0;
const WRITE_FULL = 1;
const WRITE_CLOSED = 2;

// Once the server has sent its FIN, how long the peer has to close its side
// before the socket is destroyed.
const CLOSE_WAIT_MS = 2000;

// Every upgraded socket's record, for the shutdown.
const open = new Set();

// host.js's `enter` (calls into an instance unless it is retired), `finish`
// and `abandon` (an exchange is over, or its client left).
let hooks = null;

function setup(h) {
  hooks = h;
}

function ignore() {}

// From the 'upgrade' event on: an error must not crash the process (Node
// removed its own listener), and a client that leaves before the answer
// abandons the exchange.
function watch(ex) {
  const { socket } = ex;
  if (!socket[WATCHED]) {
    socket[WATCHED] = true;
    socket.on('error', ignore);
  }
  ex.gone = () => {
    if (!ex.done) hooks.abandon(ex);
  };
  socket.once('close', ex.gone);
}

// The app's answer `[status, head, body, leftover]` to an upgrade request.
function deliver(ex, out) {
  const [status, headBytes, body] = out;
  const { socket, app } = ex;
  const upgrading = status === 101 && typeof body === 'number';
  if (ex.done || socket.destroyed) {
    // The client left: drop what the answer holds on the Rust side.
    if (upgrading) hooks.enter(app, () => app.runUpgrade(body, undefined, undefined));
    else if (typeof body === 'number') hooks.enter(app, () => app.cancel(body));
    return;
  }
  const headers = splitHead(headBytes);
  if (upgrading) switchProtocols(ex, headers, body);
  else refuse(ex, status, headers, body);
}

function switchProtocols(ex, headers, id) {
  const { socket, app } = ex;
  ex.headSent = true;
  socket.write(headText(101, headers, false), 'latin1');
  hooks.finish(ex);
  // The exchange is over: its listener must not keep the request (and its
  // headers) alive for as long as the socket lives.
  socket.removeListener('close', ex.gone);
  const conn = { id, socket, app, full: false, ended: false, released: false, timer: null };
  socket[CONN] = conn;
  open.add(conn);
  app.generation.upgraded.add(conn);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);
  socket.on('drain', onDrain);
  const head = ex.head.length > 0 ? ex.head : undefined;
  ex.head = null;
  // A trap here retires the instance, which destroys the socket.
  hooks.enter(app, () => app.runUpgrade(id, conn, head));
}

// ---- Events, into wasm ------------------------------------------------------

function notify(conn, kind, payload) {
  if (conn.released) return undefined;
  const answer = hooks.enter(conn.app, () => conn.app.socketEvent(conn.id, kind, payload));
  // No instance to take it: nothing will ever read this socket.
  if (answer === undefined) conn.socket.destroy();
  return answer;
}

function onData(chunk) {
  if (notify(this[CONN], EVENT_DATA, chunk) === PAUSE) this.pause();
}

function onEnd() {
  notify(this[CONN], EVENT_END, undefined);
}

function onError(err) {
  notify(this[CONN], EVENT_ERROR, err);
}

function onDrain() {
  const conn = this[CONN];
  if (!conn.full) return;
  conn.full = false;
  notify(conn, EVENT_DRAIN, undefined);
}

function onClose() {
  const conn = this[CONN];
  forget(conn);
  notify(conn, EVENT_CLOSE, undefined);
}

function forget(conn) {
  open.delete(conn);
  conn.app.generation.upgraded.delete(conn);
  if (conn.timer !== null) clearTimeout(conn.timer);
  conn.timer = null;
}

// ---- Called from Rust (src/upgrade.rs) --------------------------------------

// `bytes` is a view of wasm memory, valid only during this call:
// `Buffer.from` copies it.
function socketWrite(conn, bytes) {
  const socket = conn.socket;
  if (conn.ended || socket.destroyed || socket.writableEnded) return WRITE_CLOSED;
  if (socket.write(Buffer.from(bytes))) return WRITE_OK;
  conn.full = true;
  return WRITE_FULL;
}

function socketResume(conn) {
  if (!conn.released) conn.socket.resume();
}

function socketEnd(conn) {
  if (conn.ended) return;
  conn.ended = true;
  const socket = conn.socket;
  socket.end();
  if (!socket.destroyed) {
    conn.timer = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS);
    conn.timer.unref();
  }
}

// The upgrade is over: end the socket and read (and drop) what still comes
// until the peer closes its side.
function socketRelease(conn) {
  if (conn.released) return;
  conn.released = true;
  conn.socket.removeListener('data', onData);
  socketEnd(conn);
  conn.socket.resume();
}

// ---- Refusals ----------------------------------------------------------------

function refuse(ex, status, headers, body) {
  const { socket, app } = ex;
  const streamed = typeof body === 'number';
  if (body instanceof Uint8Array && !hasHeader(headers, 'content-length')) {
    headers.push('content-length', String(body.length));
  }
  ex.headSent = true;
  socket.cork();
  socket.write(headText(status, headers, true), 'latin1');
  if (body instanceof Uint8Array) socket.write(body);
  socket.uncork();
  if (streamed) {
    // No content-length: the end of the connection ends the body.
    pump(ex, body);
    return;
  }
  hooks.finish(ex);
  closeAfter(socket, app.linger);
}

// A streamed refusal body, written chunk by chunk as the client takes it.
async function pump(ex, id) {
  const { socket, app } = ex;
  ex.stream = id;
  try {
    for (;;) {
      const next = hooks.enter(app, () => app.pull(id));
      if (next === undefined || ex.done) return;
      const chunk = await next;
      if (ex.done || app.generation.dead) return;
      if (chunk === undefined) break;
      if (!socket.write(chunk)) await drained(socket);
    }
    hooks.finish(ex);
    closeAfter(socket, app.linger);
  } catch (err) {
    console.error(`mocket: the response body failed: ${err && err.message}`);
    hooks.finish(ex);
    socket.destroy();
  }
}

function drained(socket) {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

// A plain 500 for an upgrade request no instance can answer.
function fail(ex, text) {
  const { socket } = ex;
  if (ex.headSent || socket.destroyed) {
    socket.destroy();
    return;
  }
  ex.headSent = true;
  const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(text.length)];
  socket.write(headText(500, headers, true) + text, 'latin1');
  closeAfter(socket, ex.app.linger);
}

// Ends the socket, reading and dropping what the client still sends (so
// that no reset destroys the answer) within the core's linger limits.
function closeAfter(socket, linger) {
  socket.end();
  const stop = () => socket.destroy();
  const timer = setTimeout(stop, linger.ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  let dropped = 0;
  socket.on('data', (chunk) => {
    dropped += chunk.length;
    if (dropped > linger.bytes) stop();
  });
}

// ---- Heads ----------------------------------------------------------------

// The status line and headers, as they are; with `date` when the app set
// none, and `connection: close` when closing.
function headText(status, flat, closing) {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] || ''}\r\n`;
  let dated = false;
  let closes = false;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i];
    const value = flat[i + 1];
    if (name === 'date') dated = true;
    else if (name === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value)) closes = true;
    text += `${name}: ${value}\r\n`;
  }
  if (!dated) text += `date: ${new Date().toUTCString()}\r\n`;
  if (closing && !closes) text += 'connection: close\r\n';
  return `${text}\r\n`;
}

function splitHead(bytes) {
  if (bytes.length === 0) return [];
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').split('\n');
}

function hasHeader(flat, name) {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

// ---- Traps and shutdown -------------------------------------------------------

// The sockets of a retired instance: nothing can serve them any more.
function destroyAll(conns) {
  for (const conn of [...conns]) conn.socket.destroy();
  conns.clear();
}

// At the end of the shutdown's grace period.
function destroyOpen() {
  for (const conn of [...open]) conn.socket.destroy();
}

module.exports = {
  setup,
  watch,
  deliver,
  fail,
  destroyAll,
  destroyOpen,
  socketWrite,
  socketResume,
  socketEnd,
  socketRelease,
};
