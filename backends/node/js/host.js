'use strict';
// Mocket's Node.js host: the JavaScript half of the `mocket-node` backend.
//
// wasm-bindgen ships this file as a snippet next to the generated glue, and
// the glue `require`s it, so it is evaluated once per process however many
// times the wasm instance is replaced. That is what lets a fresh instance
// (after a panic, which is a trap on wasm32-unknown-unknown) take over the
// `node:http` server the first instance started.
//
// The Rust side calls the exported functions below. Upgraded connections
// (WebSocket) have their own small module beside this one, upgrade.js. A launcher written by
// `cargo mocket build` sets `globalThis[Symbol.for('mocket.launch')]` to
// `{ mode, glue }` before loading the glue: mode 'node' serves on a socket,
// mode 'fetch' (fetch.js) only registers the app behind a `fetch(Request)`
// export; `glue` is the module to load again after a trap.
//
// It is CommonJS, not an ES module, because `wasm-bindgen --target nodejs`
// emits CommonJS glue that `require`s its snippets.

const http = require('node:http');
// Upgraded connections (WebSocket): the raw socket's half of it.
const upgrades = require('./upgrade.js');

const LAUNCH = Symbol.for('mocket.launch');
const LINGER = Symbol('mocket.linger');
const EXCHANGE = Symbol('mocket.exchange');

// How a request body is known to the Rust side (`BodyHint`).
const BODY_ABSENT = 0;
const BODY_PRESENT = 1;
const BODY_FROM_HEADERS = 2;
const BODY_UPGRADE = 3;
const BODY_COLLECTED = 4;

// What the core says to do with a request body the app left unread
// (`Leftover`): nothing, read and drop the small rest, or close.
const LEFTOVER_DRAIN = 1;
const LEFTOVER_CLOSE = 2;

const BODY_500 = 'Internal Server Error';

// A complete body up to this many bytes is written as a string, with the head.
const SMALL_BODY = 1024;

function launch() {
  let config = globalThis[LAUNCH];
  if (config === undefined) {
    // Run as `node app.js`, without a launcher.
    config = { mode: 'node', glue: require.main ? require.main.filename : undefined };
    globalThis[LAUNCH] = config;
  }
  return config;
}

// ---- Instances ("generations") --------------------------------------------

// Every wasm instance is a generation. Exactly one is current; a trap
// retires its generation and loads the glue again for a new one.
let nextGeneration = 1;
const generations = new Map();
let current = newGeneration();
let panicReported = false;
let trapHandlerInstalled = false;

function newGeneration() {
  // `upgraded`: the records of its sockets taken over by an upgrade.
  const generation = { id: nextGeneration++, dead: false, started: false, inflight: new Set(), upgraded: new Set() };
  generations.set(generation.id, generation);
  return generation;
}

function generation() {
  return current.id;
}

function panicked(id, message) {
  panicReported = true;
  setImmediate(() => {
    panicReported = false;
  });
  console.error(`mocket: ${message}`);
  retire(generations.get(id), `the wasm instance trapped: ${message}`);
}

// The instance's memory may be inconsistent: nothing calls into it again.
// A new instance takes over, and answers the requests that were in flight
// on this one with 500 through the app's error handler.
function retire(dying, cause) {
  if (dying === undefined || dying.dead) return;
  dying.dead = true;
  generations.delete(dying.id);
  // Nothing can serve its upgraded sockets any more.
  upgrades.destroyAll(dying.upgraded);
  for (const ex of dying.inflight) orphan(ex, cause);
  dying.inflight.clear();
  if (dying === current && !dying.started) {
    fail('error: the app trapped while starting, so it cannot be restarted');
    return;
  }
  // Not from inside the trapping call stack.
  setImmediate(dying === current ? restart : answerOrphans);
}

// Requests in flight on a retired instance, waiting for the next one to
// render their 500.
const orphans = [];

function orphan(ex, cause) {
  if (ex.done) return;
  const answering = ex.fetch ? ex.controller !== null : ex.upgrade ? ex.headSent : ex.res.headersSent;
  if (answering) {
    // Too late for another status: the head is out.
    failExchange(ex);
    return;
  }
  ex.cause = cause;
  orphans.push(ex);
}

function answerOrphans() {
  for (const ex of orphans.splice(0)) {
    if (ex.done) continue;
    const app = ex.fetch ? fetchApp : ex.site.app;
    const out = app === null || app.generation.dead ? undefined : enter(app, () => app.renderError(ex.cause));
    if (out === undefined) {
      failExchange(ex); // no instance to render it: a plain 500
    } else {
      ex.app = app;
      deliver(ex, out);
    }
  }
}

function restart() {
  const glue = launch().glue;
  if (glue === undefined) fail('error: the app trapped and cannot be restarted: its glue module is unknown');
  current = newGeneration();
  try {
    delete require.cache[glue];
    require(glue);
  } catch (err) {
    fail(`error: the app could not be restarted after a trap: ${err && err.message}`);
    return;
  }
  const stranded = [...servers.values()].filter((site) => site.app.generation.dead);
  for (const site of stranded) {
    fail(`error: after a restart the app did not listen on ${site.addr} again`);
  }
  if (fetchApp !== null && fetchApp.generation.dead) {
    fail('error: after a restart the app did not call listen again');
  }
  answerOrphans();
}

function installTrapHandler() {
  if (trapHandlerInstalled) return;
  trapHandlerInstalled = true;
  process.on('uncaughtException', (err) => {
    if (err instanceof WebAssembly.RuntimeError) {
      // A panic reported itself first; any other trap (unreachable code,
      // allocation failure) retires the current instance.
      if (!panicReported) {
        console.error(`mocket: the wasm instance trapped: ${err.message}`);
        retire(current, `the wasm instance trapped: ${err.message}`);
      }
      panicReported = false;
      return;
    }
    if (process.listenerCount('uncaughtException') > 1) return;
    // What Node does when nobody handles an exception.
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

// Calls into an instance unless it is retired; a trap retires it.
function enter(app, call) {
  if (app.generation.dead) return undefined;
  try {
    return call();
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err;
    if (!panicReported) console.error(`mocket: the wasm instance trapped: ${err.message}`);
    panicReported = false;
    retire(app.generation, `the wasm instance trapped: ${err.message}`);
    return undefined;
  }
}

// ---- Called from Rust -----------------------------------------------------

const servers = new Map(); // listen address -> site
let fetchApp = null;
const fetchWaiting = [];

function attach(addr, ip, port, maxHeaderSize, headerTimeoutMs, graceMs, lingerBytes, lingerMs, handle, pull, cancel, renderError, bindFailed, runUpgrade, socketEvent, collectLimit, memory, metaAt, reserve, beginShutdown) {
  const app = {
    beginShutdown,
    generation: current,
    handle,
    pull,
    cancel,
    renderError,
    runUpgrade,
    socketEvent,
    linger: { bytes: lingerBytes, ms: lingerMs },
    collectLimit,
    shared: { memory, metaAt, reserve, bytes: null, meta: null },
  };
  const starting = current;
  // Runs once the code that loaded the instance (and so `main`) returned.
  queueMicrotask(() => {
    starting.started = true;
  });
  installTrapHandler();

  // Requests that waited for this instance run once `main` has returned,
  // not from inside it.
  if (launch().mode === 'fetch') {
    fetchApp = app;
    queueMicrotask(() => flush(fetchWaiting));
    return;
  }
  const known = servers.get(addr);
  if (known !== undefined) {
    known.app = app;
    queueMicrotask(() => flush(known.waiting));
    return;
  }
  const site = { addr, app, server: null, waiting: [], grace: graceMs };
  servers.set(addr, site);
  const headersTimeout = Math.max(1, Math.round(headerTimeoutMs));
  const server = http.createServer({
    maxHeaderSize: Math.max(1, Math.min(Math.floor(maxHeaderSize), 2 ** 31 - 1)),
    headersTimeout,
    // The whole request, body included: Node's default unless the header
    // timeout is longer.
    requestTimeout: Math.max(headersTimeout, 300000),
    // As natively, where hyper's header timer runs while a kept-alive
    // connection waits for its next request: Node's default is 5 s.
    keepAliveTimeout: headersTimeout,
    // How often Node enforces those timeouts (by default every 30 s).
    connectionsCheckingInterval: Math.min(30000, Math.max(100, Math.round(headersTimeout / 2))),
    // As natively: a request without `host` is not refused.
    requireHostHeader: false,
  });
  site.server = server;
  server.on('request', (req, res) => onRequest(site, req, res, false));
  // `expect: 100-continue`: the 100 goes out when the app first reads the
  // body, so a request refused before that (413) never invites the body.
  server.on('checkContinue', (req, res) => onRequest(site, req, res, true));
  // `connection: upgrade` (WebSocket): the socket is ours.
  server.on('upgrade', (req, socket, head) => onUpgrade(site, req, socket, head));
  // Worded by the app's `ListenError`, as on every backend.
  const onBindError = (err) => fail(`error: ${bindFailed(String(err.code || ''), String(err.message))}`);
  server.once('error', onBindError);
  server.listen({ host: ip, port }, () => {
    server.off('error', onBindError);
    server.on('error', (err) => console.error(`mocket: server error on ${addr}: ${err.message}`));
    const bound = server.address();
    const v6 = bound.family === 'IPv6' || bound.family === 6;
    process.stdout.write(`Listening on http://${v6 ? `[${bound.address}]` : bound.address}:${bound.port}\n`);
  });
  installSignals();
}

function readChunk(ex) {
  if (ex.fetch) {
    if (ex.reader === null) ex.reader = ex.request.body.getReader();
    return ex.reader.read().then((r) => (r.done ? undefined : r.value));
  }
  // The async iterator reads on demand: Node stops reading the socket when
  // nobody asks for more.
  if (ex.chunks === null) {
    if (ex.expectsContinue && !ex.res.headersSent) ex.res.writeContinue();
    ex.chunks = ex.req[Symbol.asyncIterator]();
  }
  return ex.chunks.next().then((r) => (r.done ? undefined : r.value));
}

function envVar(name) {
  return process.env[name];
}

// `mocket::time::sleep`: a promise resolved after `ms` (Node's timers).
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// `mocket::stderr()`: Rust's own stderr writes nowhere on this target.
function writeStderr(bytes) {
  process.stderr.write(bytes);
}

function fail(line) {
  if (launch().mode === 'fetch') throw new Error(line);
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

// ---- Requests -------------------------------------------------------------

function flush(waiting) {
  for (const run of waiting.splice(0)) run();
}

function onRequest(site, req, res, expectsContinue) {
  const app = site.app;
  if (app.generation.dead) {
    // A new instance is loading; it re-attaches within this turn.
    site.waiting.push(() => onRequest(site, req, res, expectsContinue));
    return;
  }
  const ex = { fetch: false, app, site, req, res, chunks: null, stream: 0, done: false, watched: false, declared: -1, expectsContinue };
  const head = requestHead(req, ex);
  // A small body of declared length is read whole first, so the app gets
  // it in one copy and (usually) answers at once; `expect: 100-continue`
  // waits for the app to ask for the body.
  if (ex.declared > 0 && ex.declared <= app.collectLimit && !expectsContinue) collectBody(ex, head);
  else start(ex, head, BODY_FROM_HEADERS);
}

// `METHOD \n TARGET \n VERSION (\n NAME \n VALUE)*` (src/request.rs):
// Node's parser gives every field as latin-1, one character per byte.
// Notes `content-length` in `ex.declared` (Node has checked it: digits,
// one value, not with `transfer-encoding`).
function requestHead(req, ex) {
  let head = `${req.method}\n${req.url}\n${req.httpVersion}`;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    head += `\n${name}\n${raw[i + 1]}`;
    if (ex !== undefined && name.length === 14 && name.toLowerCase() === 'content-length') ex.declared = Number(raw[i + 1]);
  }
  return head;
}

// Reads the request body whole, then calls in with it (BODY_COLLECTED).
function collectBody(ex, head) {
  const { req, site } = ex;
  const chunks = [];
  watchClose(ex); // a client leaving first abandons the exchange
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (ex.done) return;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const run = () => {
      ex.app = site.app;
      if (!ex.done) start(ex, head, BODY_COLLECTED, body);
    };
    // A new instance may be loading meanwhile; it re-attaches within a turn.
    if (site.app.generation.dead) site.waiting.push(run);
    else run();
  });
}

// Watches for the client leaving before the answer is complete: only an
// answer that is not sent within the request's own call needs it. One
// listener for every response, rather than a closure per request.
function watchClose(ex) {
  if (ex.fetch || ex.upgrade || ex.watched) return;
  ex.watched = true;
  ex.res[EXCHANGE] = ex;
  ex.res.on('close', onResponseClose);
}

function onResponseClose() {
  const ex = this[EXCHANGE];
  if (ex !== undefined && !ex.done) abandon(ex);
}

// ---- The buffers shared with wasm (src/shared.rs) -------------------------

// Indices into the Uint32Array at `metaAt`.
const INPUT_AT = 0;
const INPUT_CAPACITY = 1;
const OUTPUT_AT = 2;
const HEAD_LEN = 3;
const BODY_LEN = 4;
const STATUS = 5;
const LEFTOVER = 6;

// Views of the instance's memory, made again when it has grown (growing
// detaches the old ArrayBuffer).
function views(shared) {
  const buffer = shared.memory.buffer;
  if (shared.bytes === null || shared.bytes.buffer !== buffer) {
    shared.bytes = Buffer.from(buffer);
    shared.meta = new Uint32Array(buffer, shared.metaAt, 7);
  }
  return shared;
}

// Writes the request head, and the body when collected, into the input
// buffer; returns the head's length.
function writeInput(app, head, body) {
  const total = head.length + (body === undefined ? 0 : body.length);
  let shared = views(app.shared);
  if (total > shared.meta[INPUT_CAPACITY]) {
    shared.reserve(total);
    shared = views(app.shared);
  }
  const at = shared.meta[INPUT_AT];
  const written = shared.bytes.latin1Write(head, at, head.length);
  if (body !== undefined) shared.bytes.set(body, at + written);
  return written;
}

// `NAME \n VALUE (\n NAME \n VALUE)*` as the object `res.writeHead` takes
// fastest (an array makes Node copy it into its own header map first); a
// repeated name (`set-cookie`) gets an array of its values, in order.
function headersObject(text) {
  const headers = {};
  let at = 0;
  while (at < text.length) {
    const split = text.indexOf('\n', at);
    if (split === -1) break;
    let end = text.indexOf('\n', split + 1);
    if (end === -1) end = text.length;
    const name = text.slice(at, split);
    const value = text.slice(split + 1, end);
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
    at = end + 1;
  }
  return headers;
}

// The answer the handler left in the output buffer, as `deliverParts`
// takes it: read at once, before anything else calls into the instance.
function readAnswer(ex) {
  const { bytes, meta } = views(ex.app.shared);
  const at = meta[OUTPUT_AT];
  const headEnd = at + meta[HEAD_LEN];
  const bodyLen = meta[BODY_LEN];
  const headers = headersObject(bytes.latin1Slice(at, headEnd));
  let body;
  if (bodyLen === 0) body = undefined;
  // A short body as a latin-1 string (byte for byte): Node then sends head
  // and body as one string in one write instead of two chunks.
  else if (bodyLen <= SMALL_BODY) body = bytes.latin1Slice(headEnd, headEnd + bodyLen);
  else body = Buffer.from(bytes.subarray(headEnd, headEnd + bodyLen)); // a copy: the buffer is reused
  return [meta[STATUS], headers, body, meta[LEFTOVER]];
}

function start(ex, head, hint, body) {
  const app = ex.app;
  const generation = app.generation;
  generation.inflight.add(ex);
  let answer;
  try {
    answer = app.handle(ex, writeInput(app, head, body), hint, body === undefined ? 0 : body.length);
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err;
    if (!panicReported) console.error(`mocket: the wasm instance trapped: ${err.message}`);
    panicReported = false;
    retire(generation, `the wasm instance trapped: ${err.message}`);
    answer = undefined;
  }
  if (answer === undefined) {
    // The instance trapped, and retiring it took this request along to be
    // answered by the next one; unless it was retired already.
    if (app.generation.inflight.delete(ex)) failExchange(ex);
    return;
  }
  if (answer === true) {
    // Answered at once, through the shared buffers: out in the request's
    // own call, as a plain `node:http` handler's answer goes.
    deliver(ex, readAnswer(ex));
    return;
  }
  if (!(answer instanceof Promise)) {
    deliver(ex, answer);
    return;
  }
  watchClose(ex);
  // An instance retired meanwhile may still finish some work; its answers
  // are not used (the next instance answers its requests).
  answer.then(
    (out) => {
      if (!generation.dead) deliver(ex, out);
    },
    (err) => {
      if (generation.dead) return;
      console.error(`mocket: the handler failed: ${err && err.message}`);
      failExchange(ex);
    },
  );
}

function finish(ex) {
  ex.done = true;
  ex.app.generation.inflight.delete(ex);
  if (closing && !ex.fetch) ex.site.server.closeIdleConnections();
}

// The client went away before the answer was complete.
function abandon(ex) {
  finish(ex);
  if (ex.stream !== 0) enter(ex.app, () => ex.app.cancel(ex.stream));
}

function deliver(ex, out) {
  if (ex.upgrade) {
    upgrades.deliver(ex, out);
    return;
  }
  const [status, head, body, leftover] = out;
  if (ex.done) {
    if (typeof body === 'number') enter(ex.app, () => ex.app.cancel(body));
    return;
  }
  if (ex.fetch) {
    deliverFetch(ex, status, head, body);
    return;
  }
  const { req, res } = ex;
  // From the shared buffers as an object, else the head's bytes.
  const headers = head instanceof Uint8Array ? splitHead(head) : head;
  // The core has put `connection: close` in the head when closing.
  if (closing && !hasHeader(headers, 'connection')) {
    if (Array.isArray(headers)) headers.push('connection', 'close');
    else headers.connection = 'close';
  }
  if (leftover === LEFTOVER_CLOSE) lingerOnClose(req, ex.app.linger);
  else if (leftover === LEFTOVER_DRAIN) drainWhenAnswered(req, res);
  try {
    res.writeHead(status, headers);
  } catch (err) {
    console.error(`mocket: cannot write the response head: ${err.message}`);
    if (typeof body === 'number') enter(ex.app, () => ex.app.cancel(body));
    failExchange(ex);
    return;
  }
  if (typeof body === 'number') {
    ex.stream = body;
    watchClose(ex);
    pump(ex);
  } else {
    // A short body as a latin-1 string (byte for byte): Node then sends
    // head and body as one string in one write instead of two chunks.
    if (typeof body === 'string') res.end(body, 'latin1');
    else if (body !== undefined && body.length <= SMALL_BODY) res.end(latin1(body), 'latin1');
    else res.end(body);
    finish(ex);
  }
}

function latin1(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

// Writes a streamed body, asking for each chunk once the previous one is
// written: a slow client slows the app down instead of filling memory.
async function pump(ex) {
  const { res, app } = ex;
  try {
    for (;;) {
      const next = enter(app, () => app.pull(ex.stream));
      if (next === undefined || ex.done) return;
      const chunk = await next;
      if (ex.done || app.generation.dead) return;
      if (chunk === undefined) break;
      if (!res.write(chunk)) await drained(res);
    }
    res.end();
    finish(ex);
  } catch (err) {
    console.error(`mocket: the response body failed: ${err && err.message}`);
    finish(ex);
    res.destroy();
  }
}

function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function splitHead(bytes) {
  if (bytes.length === 0) return [];
  return latin1(bytes).split('\n');
}

function hasHeader(headers, name) {
  if (!Array.isArray(headers)) return Object.hasOwn(headers, name);
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true;
  return false;
}

// A small rest of a body the app stopped reading: read and drop it once the
// answer is out, so the next request on the connection can be parsed.
function drainWhenAnswered(req, res) {
  res.once('finish', () => {
    req.removeAllListeners('readable');
    req.resume();
  });
}

// Node destroys a `connection: close` socket as soon as the response is
// flushed; with request bytes still unread that is a reset, which can reach
// the client before it has read the answer. Half-close instead, and read
// and drop what still comes, within the core's LINGER_TIME and LINGER_LIMIT.
function lingerOnClose(req, linger) {
  const socket = req.socket;
  if (!socket || socket[LINGER]) return;
  socket[LINGER] = true;
  socket.destroySoon = function lingeringClose() {
    this.end();
    const stop = () => this.destroy();
    const timer = setTimeout(stop, linger.ms);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    let dropped = 0;
    this.on('data', (chunk) => {
      dropped += chunk.length;
      if (dropped > linger.bytes) stop();
    });
    req.on('end', stop);
    req.on('error', stop);
    req.removeAllListeners('readable');
    req.resume();
  };
}

// A plain 500 for a request no instance can answer (or whose answer could
// not be written).
function failExchange(ex) {
  if (ex.done) return;
  finish(ex);
  if (ex.fetch) {
    if (ex.controller === null) {
      ex.resolve(plain500());
      return;
    }
    try {
      ex.controller.error(new Error('the app trapped while streaming this response'));
    } catch {
      // already closed by its reader
    }
    return;
  }
  if (ex.upgrade) {
    upgrades.fail(ex, BODY_500);
    return;
  }
  const { req, res } = ex;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  // No instance to ask: close rather than guess about an unread body.
  const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(BODY_500.length)];
  const unread = !req.complete;
  if (unread || closing) headers.push('connection', 'close');
  if (unread) lingerOnClose(req, ex.app.linger);
  res.writeHead(500, headers);
  res.end(BODY_500);
}

// ---- Upgrades (WebSocket) -------------------------------------------------

// Node emits 'upgrade' instead of 'request' for a request with
// `connection: upgrade`, and hands over the raw socket, with `head`, the
// bytes it read past the request head. The request crosses like any other
// (the same head buffer; BODY_UPGRADE: no body); upgrade.js writes the
// answer on the socket and, for a 101 that takes the connection over,
// carries the socket's bytes to and from the upgrade running in wasm.
function onUpgrade(site, req, socket, head) {
  const app = site.app;
  const ex = { fetch: false, upgrade: true, app, site, req, res: null, socket, head, headSent: false, stream: 0, done: false };
  upgrades.watch(ex);
  if (app.generation.dead) {
    // A new instance is loading; it re-attaches within this turn.
    site.waiting.push(() => {
      ex.app = site.app;
      if (!ex.done) start(ex, requestHead(req), BODY_UPGRADE);
    });
    return;
  }
  start(ex, requestHead(req), BODY_UPGRADE);
}

upgrades.setup({ enter, finish, abandon });

// ---- The fetch export -----------------------------------------------------

// `fetch(request) -> Promise<Response>`, the handler contract of Deno, Bun
// and edge workers, for the app loaded through fetch.js.
function fetchHandler(request) {
  return new Promise((resolve, reject) => {
    if (fetchApp === null) {
      reject(new Error('mocket: the app never called listen, so there is nothing to fetch from'));
      return;
    }
    const run = () => {
      let url;
      try {
        url = new URL(request.url);
      } catch (err) {
        reject(err);
        return;
      }
      const ex = { fetch: true, app: fetchApp, request, reader: null, controller: null, stream: 0, done: false, resolve };
      let head = `${request.method}\n${url.pathname}${url.search}\n1.1`;
      let hasHost = false;
      for (const [name, value] of request.headers) {
        head += `\n${name}\n${value}`;
        if (name === 'host') hasHost = true;
      }
      if (!hasHost && url.host) head += `\nhost\n${url.host}`;
      start(ex, head, request.body === null ? BODY_ABSENT : BODY_PRESENT);
    };
    if (fetchApp.generation.dead) fetchWaiting.push(run);
    else run();
  });
}

// The core sends no body where the status forbids one (`undefined`).
function deliverFetch(ex, status, headBytes, body) {
  let streamed = typeof body === 'number';
  let response;
  try {
    const flat = splitHead(headBytes);
    const headers = new Headers();
    for (let i = 0; i + 1 < flat.length; i += 2) headers.append(flat[i], flat[i + 1]);
    let payload = null;
    if (streamed) payload = streamOf(ex, body);
    else if (body instanceof Uint8Array) payload = body;
    response = new Response(payload, { status, headers });
  } catch (err) {
    // A status or header the web `Response` does not allow.
    console.error(`mocket: cannot build the Response: ${err.message}`);
    response = plain500();
    streamed = false;
    ex.controller = null;
  }
  if (typeof body === 'number' && !streamed) enter(ex.app, () => ex.app.cancel(body));
  if (!streamed) finish(ex);
  ex.resolve(response);
}

function streamOf(ex, id) {
  ex.stream = id;
  const app = ex.app;
  return new ReadableStream(
    {
      start(controller) {
        ex.controller = controller;
      },
      async pull(controller) {
        const next = enter(app, () => app.pull(id));
        if (next === undefined) return; // retired: failExchange errors the stream
        let chunk;
        try {
          chunk = await next;
        } catch (err) {
          if (app.generation.dead) return;
          finish(ex);
          throw err;
        }
        if (ex.done || app.generation.dead) return;
        if (chunk === undefined) {
          finish(ex);
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel() {
        if (!ex.done) abandon(ex);
      },
    },
    { highWaterMark: 0 },
  );
}

function plain500() {
  return new Response(BODY_500, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

launch().fetch = fetchHandler;

// ---- Shutdown -------------------------------------------------------------

let closing = false;
let signalsInstalled = false;

function installSignals() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const onSignal = () => {
    if (closing) process.exit(0); // a second signal: stop waiting
    closing = true;
    shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

// Stops accepting, lets requests in flight finish (their connections close
// after the answer), and exits 0 once every server has closed or the grace
// period is over. Upgraded sockets (WebSocket) keep a server open until
// their peers close them; those still open when the grace period ends are
// destroyed.
function shutdown() {
  let open = servers.size;
  let grace = 0;
  const exit = () => process.exit(0);
  if (open === 0) exit();
  for (const site of servers.values()) {
    grace = Math.max(grace, site.grace);
    // WebSockets say 1001 and event streams end, inside the app.
    enter(site.app, () => site.app.beginShutdown());
    site.server.close(() => {
      open -= 1;
      if (open === 0) exit();
    });
    site.server.closeIdleConnections();
  }
  const timer = setTimeout(() => {
    for (const site of servers.values()) site.server.closeAllConnections();
    // Upgraded sockets are no longer the server's to close.
    upgrades.destroyOpen();
    exit();
  }, grace);
  timer.unref();
}

module.exports = { attach, generation, panicked, readChunk, envVar, fail, sleep, writeStderr };
