// The benchmark routes of ROUTES.md on raw node:http: one request listener,
// a hand-written switch on method and path, a Map for the 1000 static
// routes (built once at start-up). Listens on 127.0.0.1:$PORT.
import http from 'node:http';

const TEXT = 'text/plain; charset=utf-8';
const LIMIT = 1 << 20;

const staticRoutes = new Map();
for (let i = 0; i < 1000; i++) staticRoutes.set(`/static/${i}`, i);

function send(res, status, contentType, body, extra) {
  const headers = extra ? { ...extra } : {};
  if (contentType) headers['content-type'] = contentType;
  headers['content-length'] = body === undefined ? 0 : Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

const text = (res, body, extra) => send(res, 200, TEXT, body, extra);
const status = (res, code) => send(res, code);

// Decodes a path parameter; undefined for a malformed escape.
function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function readBody(req, res, done) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > LIMIT) {
      status(res, 413);
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size <= LIMIT) done(Buffer.concat(chunks, size));
  });
}

function param(res, value) {
  if (value === undefined) status(res, 400);
  else text(res, value);
}

function get(req, res, path, query) {
  switch (path) {
    case '/plaintext':
    case '/api/plaintext':
      return text(res, 'Hello, World!');
    case '/middleware/plaintext':
      return text(res, 'Hello, World!', { 'x-middleware': '1' });
    case '/api/v1/users/current/profile/settings':
      return text(res, 'settings');
    case '/json':
      return send(res, 200, 'application/json', JSON.stringify({ message: 'Hello, World!' }));
    case '/headers':
      return text(res, 'ok', { 'x-powered-by': 'bench', 'cache-control': 'no-store' });
    case '/query': {
      const params = new URLSearchParams(query);
      const name = params.get('name') ?? '';
      const raw = params.get('repeat');
      const repeat = raw === null ? 1 : /^\+?[0-9]+$/.test(raw) ? Number(raw) : NaN;
      if (!(repeat <= 1000)) return status(res, 400);
      return text(res, name.repeat(repeat));
    }
  }
  const n = staticRoutes.get(path);
  if (n !== undefined) return text(res, String(n));
  if (path.startsWith('/echo/')) {
    const name = path.slice(6);
    if (name && !name.includes('/')) return param(res, decode(name));
  }
  if (path.startsWith('/wild/') && path.length > 6) return param(res, decode(path.slice(6)));
  const parts = path.split('/');
  if (parts.length === 7 && parts[1] === 'users' && parts[3] === 'posts' && parts[5] === 'comments'
      && parts[2] && parts[4] && parts[6]) {
    const ids = [parts[2], parts[4], parts[6]].map(decode);
    if (ids.includes(undefined)) return status(res, 400);
    return text(res, ids.join(','));
  }
  return status(res, 404);
}

function post(req, res, path) {
  switch (path) {
    case '/echo':
      return readBody(req, res, (body) => {
        // Text when the body is UTF-8, bytes otherwise, as the other servers do.
        let ct = TEXT;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(body);
        } catch {
          ct = 'application/octet-stream';
        }
        send(res, 200, ct, body);
      });
    case '/json-echo': {
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (ct !== 'application/json') return status(res, 415);
      return readBody(req, res, (body) => {
        let value;
        try {
          value = JSON.parse(body.toString('utf8'));
        } catch {
          return status(res, 400);
        }
        send(res, 200, 'application/json', JSON.stringify(value));
      });
    }
    case '/consume':
      return readBody(req, res, () => text(res, 'ok'));
  }
  return status(res, 404);
}

const server = http.createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (req.method === 'GET') return get(req, res, path, query);
  if (req.method === 'POST') return post(req, res, path);
  return status(res, 404);
});

const port = Number(process.env.PORT ?? 3000);
server.listen(port, '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${server.address().port}`);
});
