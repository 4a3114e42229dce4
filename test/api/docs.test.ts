import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { closeShop, openShopApp, type Shop } from './fixture.ts';

// The docs page does not depend on the engine: PGlite only.
describe('/docs', () => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp('pglite'));
  }, 60_000);
  afterAll(() => closeShop(shop));

  it('is Swagger UI over /openapi.json with every asset served by the service itself', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i); // no CDN, no host at all
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(['/docs/assets/favicon-32x32.png', '/docs/assets/init.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']);
    const types: Record<string, RegExp> = { '.js': /^text\/javascript/, '.css': /^text\/css/, '.png': /^image\/png/ };
    for (const path of assets) {
      const asset = await app.request(path);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(types[path.slice(path.lastIndexOf('.'))]!);
      expect((await asset.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    const bundle = await (await app.request('/docs/assets/swagger-ui-bundle.js')).text();
    expect(bundle).toContain('SwaggerUIBundle');
  });

  it('starts the UI on this service\'s document, with try-it-out and no online validator', async () => {
    const init = await (await app.request('/docs/assets/init.js')).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('tryItOutEnabled: true');
    expect(init).toContain('validatorUrl: null');
    expect(init).not.toMatch(/https?:/);
    const doc = (await (await app.request('/openapi.json')).json()) as { servers?: unknown; paths: Record<string, unknown> };
    expect(doc.servers).toBeUndefined(); // so try-it-out calls the origin the page came from
    expect(Object.keys(doc.paths)).toContain('/v1/recommendations/batch');
  });

  it('serves nothing else from the package directory', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/index.html', '/docs/assets/..%2Fpackage.json', '/docs/assets/swagger-ui-bundle.js.map']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});
