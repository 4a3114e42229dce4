// `/docs`: Swagger UI over the service's own `/openapi.json`, with "try it out" against this
// service. Every asset comes from the swagger-ui-dist package in node_modules and is served here,
// so the page works on a machine with no internet (no CDN, no online validator).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.ts';

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files the page loads, by name, with their media types: nothing else is served from DIST. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// deepLinking keeps the open operation in the URL; validatorUrl null: no call to an online validator
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: true,
  validatorUrl: null,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>retain API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;

export function docsRoutes(app: OpenAPIHono<AppEnv>): void {
  // read on first use and kept: the bundle is 1.7 MB a service that is never browsed need not hold
  const loaded = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/assets/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c, next) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return next();
    let bytes = loaded.get(file);
    // a copy into a plain ArrayBuffer, the body type Hono takes (a Buffer may sit in a shared pool)
    if (!bytes) loaded.set(file, (bytes = readFile(join(DIST, file)).then((b) => new Uint8Array(b))));
    return c.body(await bytes, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
