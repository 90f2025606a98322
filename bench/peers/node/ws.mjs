// The WebSocket routes of examples/chat on Node's most used WebSocket
// server, the `ws` package, over node:http, written the way its README
// writes a server (noServer + the 'upgrade' event, a Set per room):
//   /ws/echo          every message sent back unchanged;
//   /ws/room/NAME     every text message published to room NAME, which
//                     every subscriber, the sender included, receives.
// A subscriber with more than 1 MiB unsent is closed with 1008, as Mocket
// closes a slow subscriber. Listens on 127.0.0.1:$PORT.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const BACKLOG_BYTES = 1 << 20;
const wss = new WebSocketServer({ noServer: true });
const rooms = new Map();

function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

function chat(ws, name) {
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = new Set()));
  room.add(ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    for (const peer of room) {
      if (peer.bufferedAmount > BACKLOG_BYTES) peer.close(1008, 'too slow');
      else peer.send(data, { binary: false });
    }
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(name);
  });
}

const server = http.createServer((_req, res) => {
  res.writeHead(404, { 'content-length': 0 });
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  const path = req.url.split('?')[0];
  const room = path.startsWith('/ws/room/') ? decodeURIComponent(path.slice(9)) : undefined;
  if (path !== '/ws/echo' && !room) {
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    // Without an 'error' listener a client's protocol error kills the process.
    ws.on('error', () => ws.terminate());
    if (room) chat(ws, room);
    else echo(ws);
  });
});
server.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${server.address().port}`);
});
// Exit cleanly on the harness's SIGTERM (so that `node --cpu-prof` writes
// its profile, for one).
process.on('SIGTERM', () => process.exit(0));
