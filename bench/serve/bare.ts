// The serving benchmark's anchors: a bare node:http server and a bare Hono app on @hono/node-server
// (the adapter retain uses), each answering GET /healthz with the same small JSON body as retain's
// /healthz and nothing else: no middleware, no metrics, no logging. run.ts starts them as their own
// processes in the same run and with the same autocannon settings as the real server.
//
//   node --import tsx bench/serve/bare.ts node-http|hono PORT
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const [kind, port] = [process.argv[2], Number(process.argv[3])];
const body = JSON.stringify({ status: 'ok' });

if (kind === 'node-http') {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
} else if (kind === 'hono') {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
  (server as { keepAliveTimeout?: number }).keepAliveTimeout = 65_000;
} else {
  process.stderr.write('usage: bare.ts node-http|hono PORT\n');
  process.exit(2);
}

process.on('SIGTERM', () => process.exit(0));
