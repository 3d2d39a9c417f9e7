/**
 * The dashboard's build: `vite build --config web/vite.config.ts` (part of `npm run build`) writes
 * dist/web — index.html plus content-hashed assets the collector serves from memory
 * (collector/api/web-routes.ts). Everything is bundled: the dashboard needs no network beyond the
 * collector. The gzipped size of what was written is printed at the end (target < 250 KB).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

/** Prints the gzipped total of the JS, CSS and HTML written (the bundle budget is 250 KB). */
function bundleSize(): Plugin {
  return {
    name: 'faultline-bundle-size',
    apply: 'build',
    closeBundle() {
      let raw = 0;
      let gz = 0;
      for (const f of files(outDir)) {
        if (!/\.(js|css|html)$/.test(f)) continue;
        const b = readFileSync(f);
        raw += b.length;
        gz += gzipSync(b, { level: 9 }).length;
      }
      const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
      process.stdout.write(`dashboard bundle: ${kb(raw)} raw, ${kb(gz)} gzipped (budget 250 KB gzipped)${gz > 250 * 1024 ? ' — OVER BUDGET' : ''}\n`);
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: join(root, 'public'),
  logLevel: 'warn',
  plugins: [preact({ devToolsInProd: false, prefreshEnabled: false }), bundleSize()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    // No inline <script>: the Content-Security-Policy allows scripts from the origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for development against a collector on :8080.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
