/**
 * The dashboard (web/, built by `npm run build` into dist/web) served from memory: every file is
 * read and gzip-compressed once when the API is built, so a request costs a map lookup. `/` and any
 * other non-/api GET that is not a file (client routes such as /tickets/12) get index.html; hashed
 * assets under /assets/ are cached for a year (immutable); index.html is revalidated (ETag). Every
 * reply carries a strict Content-Security-Policy (scripts only from this origin, no inline script),
 * X-Content-Type-Options and Referrer-Policy. Without a built dashboard the pages answer 503 with
 * a page that says how to build it; the API is unaffected.
 *
 * Register last: the catch-all GET must not shadow a route registered after it (static and
 * parametric routes win over the wildcard anyway, but /api paths it sees are answered with the
 * API's own JSON 404).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zlib } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** dist/web beside dist/collector (this file compiles to dist/collector/api/web-routes.js). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Preact and uPlot set element styles through the CSSOM (allowed); no inline <style> or style="" in markup.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.ico', '.webmanifest']);

export interface WebAsset {
  body: Buffer;
  /** Present when gzip makes the file smaller. */
  gzip: Buffer | undefined;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface WebBundle {
  dir: string;
  /** By URL path, e.g. /assets/index-abc123.js and /index.html. */
  files: ReadonlyMap<string, WebAsset>;
  index: WebAsset | undefined;
  /** Bytes of the JS and CSS files, raw and gzipped (what a first visit downloads at most). */
  totals: { files: number; rawBytes: number; gzipBytes: number };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

/** Reads and compresses the built dashboard; an absent or incomplete build gives a bundle without index. */
export function loadWebBundle(dir: string = DEFAULT_WEB_DIR): WebBundle {
  const files = new Map<string, WebAsset>();
  const totals = { files: 0, rawBytes: 0, gzipBytes: 0 };
  if (!existsSync(join(dir, 'index.html'))) return { dir, files, index: undefined, totals };
  for (const full of walk(dir)) {
    const urlPath = `/${relative(dir, full).split(sep).join('/')}`;
    const ext = extname(full).toLowerCase();
    const body = readFileSync(full);
    const gz = COMPRESSIBLE.has(ext) && body.length > 256 ? gzipSync(body, { level: zlib.Z_BEST_COMPRESSION }) : undefined;
    const gzip = gz && gz.length < body.length ? gz : undefined;
    const immutable = urlPath.startsWith('/assets/');
    files.set(urlPath, {
      body, gzip,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cacheControl: immutable ? 'public, max-age=31536000, immutable' : ext === '.html' ? 'no-cache' : 'public, max-age=3600',
    });
    if (ext === '.js' || ext === '.css' || ext === '.html') {
      totals.files++;
      totals.rawBytes += body.length;
      totals.gzipBytes += (gzip ?? body).length;
    }
  }
  return { dir, files, index: files.get('/index.html'), totals };
}

function acceptsGzip(req: FastifyRequest): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip' && coding?.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function etagMatches(req: FastifyRequest, etag: string): boolean {
  const header = req.headers['if-none-match'];
  return typeof header === 'string' && header.split(',').some((x) => x.trim().replace(/^W\//, '') === etag);
}

function send(req: FastifyRequest, reply: FastifyReply, asset: WebAsset): FastifyReply {
  void reply.headers(SECURITY_HEADERS).header('cache-control', asset.cacheControl).header('etag', asset.etag).header('vary', 'accept-encoding');
  if (etagMatches(req, asset.etag)) return reply.code(304).send();
  void reply.type(asset.contentType);
  if (asset.gzip && acceptsGzip(req)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faultline: dashboard not built</title></head>
<body><h1>The dashboard is not built</h1>
<p>The collector is running and its API answers under <a href="/api/docs">/api/docs</a>, but the web
dashboard has not been built into <code>dist/web</code>.</p>
<p>Run <code>npm run build</code> (or <code>npm start</code> for the demo) and reload this page.</p>
</body></html>
`;

export interface WebRoutesOptions {
  /** The built dashboard (default dist/web); loaded once, when the routes are registered. */
  dir?: string;
  /** Receives the loaded bundle (sizes for a log line or a benchmark). */
  onLoad?: (bundle: WebBundle) => void;
}

const isApiPath = (path: string): boolean => path === '/api' || path.startsWith('/api/');

/** A path that names a file (has an extension, or lies under /assets/) is never answered with index.html. */
const looksLikeFile = (path: string): boolean => path.startsWith('/assets/') || /\.[A-Za-z0-9]{1,12}$/.test(path);

export async function webRoutes(app: FastifyInstance, opts: WebRoutesOptions = {}): Promise<void> {
  let bundle: WebBundle;
  try {
    bundle = loadWebBundle(opts.dir ?? DEFAULT_WEB_DIR);
  } catch (err) {
    app.log.error({ err, dir: opts.dir ?? DEFAULT_WEB_DIR }, 'cannot read the built dashboard; pages answer 503');
    bundle = { dir: opts.dir ?? DEFAULT_WEB_DIR, files: new Map(), index: undefined, totals: { files: 0, rawBytes: 0, gzipBytes: 0 } };
  }
  opts.onLoad?.(bundle);
  if (!bundle.index) app.log.warn({ dir: bundle.dir }, 'the dashboard is not built (run npm run build); pages answer 503');

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = (req.url.split('?')[0] ?? '/').replace(/\/{2,}/g, '/');
    if (isApiPath(path)) {
      reply.callNotFound();
      return reply;
    }
    if (!bundle.index) {
      return reply.code(503).headers(SECURITY_HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    let decoded = path;
    try { decoded = decodeURIComponent(path); } catch { /* keep it raw: no file has such a name */ }
    const file = bundle.files.get(decoded);
    if (file && decoded !== '/index.html') return send(req, reply, file);
    if (looksLikeFile(decoded) && decoded !== '/index.html') {
      return reply.code(404).headers(SECURITY_HEADERS).type('text/plain; charset=utf-8').send(`not found: ${path}\n`);
    }
    return send(req, reply, bundle.index);
  };
  app.get('/', handler);
  app.get('/*', handler);
}
