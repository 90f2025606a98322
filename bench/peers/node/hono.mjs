// The benchmark routes of ROUTES.md on Hono, served by @hono/node-server,
// written the way Hono's docs write apps. Listens on 127.0.0.1:$PORT.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const app = new Hono();

app.get('/plaintext', (c) => c.text('Hello, World!'));

app.use('/middleware/*', async (c, next) => {
  await next();
  c.header('x-middleware', '1');
});
app.get('/middleware/plaintext', (c) => c.text('Hello, World!'));

for (let i = 0; i < 3; i++) {
  app.use('/api/*', async (_c, next) => {
    await next();
  });
}
app.get('/api/plaintext', (c) => c.text('Hello, World!'));
app.get('/api/v1/users/current/profile/settings', (c) => c.text('settings'));

for (let i = 0; i < 1000; i++) {
  app.get(`/static/${i}`, (c) => c.text(String(i)));
}

app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
app.get('/echo/:name', (c) => c.text(c.req.param('name')));
app.get('/users/:user_id/posts/:post_id/comments/:comment_id', (c) => {
  const { user_id, post_id, comment_id } = c.req.param();
  return c.text(`${user_id},${post_id},${comment_id}`);
});
app.get('/wild/*', (c) => c.text(decodeURIComponent(c.req.path.slice('/wild/'.length))));

app.get('/query', (c) => {
  const name = c.req.query('name') ?? '';
  const raw = c.req.query('repeat');
  const repeat = raw === undefined ? 1 : /^\+?[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(repeat <= 1000)) return c.text('repeat must be a number from 0 to 1000', 400);
  return c.text(name.repeat(repeat));
});

app.get('/headers', (c) => {
  c.header('x-powered-by', 'bench');
  c.header('cache-control', 'no-store');
  return c.text('ok');
});

app.post('/echo', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  let type = 'text/plain; charset=utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    type = 'application/octet-stream';
  }
  return c.body(body, 200, { 'content-type': type });
});

app.post('/json-echo', async (c) => {
  let value;
  try {
    value = await c.req.json();
  } catch {
    return c.text('invalid JSON body', 400);
  }
  return c.json(value);
});

app.post('/consume', async (c) => {
  await c.req.arrayBuffer();
  return c.text('ok');
});

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`Listening on http://127.0.0.1:${info.port}`);
});
