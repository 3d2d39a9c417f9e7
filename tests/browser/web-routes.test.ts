/**
 * collector/api/web-routes.ts without a browser: index.html for / and client routes, hashed assets
 * immutable and gzipped when accepted, content types, security headers, ETag revalidation, /api
 * paths left to the API's JSON 404, and a clear 503 page when the dashboard is not built.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import t from 'tap';
import { installErrorHandlers } from '../../collector/api/api-errors.js';
import { webRoutes, type WebBundle } from '../../collector/api/web-routes.js';
import { tempDir } from '../helpers/temp-dir.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>';
const JS = `console.log(${JSON.stringify('x'.repeat(2000))});`;

async function app(dir: string, onLoad?: (b: WebBundle) => void) {
  const a = Fastify();
  installErrorHandlers(a);
  a.get('/api/things', async () => ({ ok: true }));
  await a.register(webRoutes, { dir, ...(onLoad ? { onLoad } : {}) });
  await a.ready();
  return a;
}

t.test('serves a built dashboard from memory', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  mkdirSync(join(dir.path, 'assets'));
  writeFileSync(join(dir.path, 'index.html'), INDEX);
  writeFileSync(join(dir.path, 'assets', 'index-abc123.js'), JS);
  writeFileSync(join(dir.path, 'assets', 'index-def456.css'), 'body{color:#111}');
  writeFileSync(join(dir.path, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  let bundle: WebBundle | undefined;
  const a = await app(dir.path, (b) => { bundle = b; });
  t.teardown(() => a.close());
  t.ok(bundle && bundle.totals.gzipBytes > 0 && bundle.totals.gzipBytes < bundle.totals.rawBytes, 'sizes reported');

  const root = await a.inject({ url: '/' });
  t.equal(root.statusCode, 200);
  t.equal(root.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(root.body, INDEX);
  t.equal(root.headers['cache-control'], 'no-cache', 'index.html is revalidated');
  const csp = String(root.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline or eval script allowed');
  t.match(csp, /frame-ancestors 'none'/);
  t.equal(root.headers['x-content-type-options'], 'nosniff');
  t.equal(root.headers['referrer-policy'], 'same-origin');

  const again = await a.inject({ url: '/', headers: { 'if-none-match': String(root.headers.etag) } });
  t.equal(again.statusCode, 304, 'ETag revalidation');

  for (const route of ['/alarms', '/tickets/12', '/devices/plant-a/drive-7', '/reports?period=week']) {
    const r = await a.inject({ url: route });
    t.equal(r.statusCode, 200, `${route}: client route answered`);
    t.equal(r.body, INDEX, `${route}: with index.html`);
  }

  const js = await a.inject({ url: '/assets/index-abc123.js' });
  t.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable', 'hashed assets are immutable');
  t.equal(js.headers['content-encoding'], undefined, 'no gzip unless accepted');
  t.equal(js.body, JS);
  const gz = await a.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(gz.headers.vary, 'accept-encoding');
  t.equal(gunzipSync(gz.rawPayload).toString(), JS, 'gzip decodes to the file');
  t.ok(gz.rawPayload.length < JS.length / 5, 'and is smaller');
  const refused = await a.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip;q=0' } });
  t.equal(refused.headers['content-encoding'], undefined, 'gzip;q=0 is respected');
  t.equal((await a.inject({ url: '/assets/index-def456.css' })).headers['content-type'], 'text/css; charset=utf-8');
  t.equal((await a.inject({ url: '/favicon.svg' })).headers['content-type'], 'image/svg+xml');
  const head = await a.inject({ method: 'HEAD', url: '/alarms' });
  t.equal(head.statusCode, 200, 'HEAD works');

  const missing = await a.inject({ url: '/assets/index-gone99.js' });
  t.equal(missing.statusCode, 404, 'a missing asset is a 404, never index.html');
  t.notMatch(missing.headers['content-type'], /html/);
  t.equal((await a.inject({ url: '/../../etc/passwd' })).body, INDEX, 'no file outside the bundle is reachable');
  t.equal((await a.inject({ url: '/%2e%2e/%2e%2e/etc/passwd' })).body, INDEX, 'nor through an encoded path');

  const api404 = await a.inject({ url: '/api/nope' });
  t.equal(api404.statusCode, 404);
  t.same(api404.json().error.code, 'FL_ERR_API_NOT_FOUND', '/api paths get the API\'s JSON 404');
  t.same((await a.inject({ url: '/api/things' })).json(), { ok: true }, 'API routes still answer');
});

t.test('without a built dashboard: a 503 page that says what to do, and the API works', async (t) => {
  const dir = tempDir();
  t.teardown(dir.remove);
  const a = await app(join(dir.path, 'not-there'));
  t.teardown(() => a.close());
  const r = await a.inject({ url: '/' });
  t.equal(r.statusCode, 503);
  t.match(r.headers['content-type'], /text\/html/);
  t.match(r.body, /npm run build/);
  t.equal((await a.inject({ url: '/alarms' })).statusCode, 503);
  t.same((await a.inject({ url: '/api/things' })).json(), { ok: true });
  t.equal((await a.inject({ url: '/api/nope' })).statusCode, 404);
});
