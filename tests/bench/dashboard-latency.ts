/**
 * The dashboard under load, in real headless Chromium against a real collector (in this process,
 * on 127.0.0.1):
 *  - live latency: with 500 active alarms on screen, time from a raw MQTT publish (QoS 1) of a
 *    protobuf FaultEvent to the broker until the alarm's row is in the console's DOM (a
 *    MutationObserver in the page stamps each added row). Both stamps are epoch ms on this
 *    machine's clock (performance.timeOrigin + performance.now() on both sides), corrected by the
 *    measured page-vs-node offset. Events go out one every `gapMs` (default 100 ms), each raising
 *    a new alarm on a site of its own (no flood banner), `events` of them (default 200);
 *  - first load: from the login click to the full alarm list (all 500+ rows) on the console;
 *  - the bundle: the gzipped size of dist/web's JS, CSS and HTML.
 * Prints figures; asserts nothing. Targets: p99 < 250 ms, first load < 1 s, bundle < 250 KB gz.
 */
import { uuidv7 } from 'uuidv7';
import { loadWebBundle } from '../../collector/api/web-routes.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import type { FaultEvent } from '../../protocol/values.js';
import { startBrowserStack } from '../browser/browser-stack.js';
import { TEST_PASSWORD } from '../helpers/api-auth.js';
import { waitFor } from '../helpers/wait.js';
import { benchClient, percentile } from './bench-processes.js';
import { nowMs, pageClockOffset } from './page-clock.js';

export interface DashboardBenchOptions {
  preload?: number;
  events?: number;
  gapMs?: number;
  loads?: number;
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

/** The bit of the page's DOM the bench reads (this file is compiled without DOM types). */
interface PageGlobals { document: { querySelector(s: string): { children: { length: number } } | null } }
/** Runs in the page: the number of alarm rows in the console. */
const rowCount = (): number => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=alarm-rows]')?.children.length ?? 0;

function raise(site: string, device: string, code: string, seq: number): Buffer {
  const e: FaultEvent = {
    id: uuidv7(), device, site, seq, timeMs: Date.now(), source: 'modbus', category: 'hardware', code, severity: 'major',
    transition: 'raise', message: `dashboard bench ${code}`, snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  };
  return Buffer.from(encodeFaultEvent(e));
}

export async function runDashboardLatencyBench(o: DashboardBenchOptions = {}): Promise<void> {
  const preload = o.preload ?? 500;
  const events = o.events ?? 200;
  const gapMs = o.gapMs ?? 100;
  const loads = o.loads ?? 5;

  const bundle = loadWebBundle();
  if (!bundle.index) {
    process.stdout.write('dashboard: dist/web is missing; run npm run build first\n');
    return;
  }
  process.stdout.write(`bundle: ${(bundle.totals.gzipBytes / 1024).toFixed(1)} KB gzipped (${(bundle.totals.rawBytes / 1024).toFixed(1)} KB raw, ${bundle.totals.files} JS/CSS/HTML files; target < 250 KB gz)\n`);

  const stack = await startBrowserStack({ device: false });
  try {
    const client = await benchClient(stack.collector.mqttUrl, 'fl-bench-dashboard');
    try {
      // 500 active alarms: 50 sites x 10 devices, one code each (10 per site stays under the flood limit).
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < preload; i++) {
        const site = `s-${String(Math.floor(i / 10)).padStart(3, '0')}`;
        const device = `d-${i % 10}`;
        sends.push(client.publishAsync(`fl/v1/${site}/${device}/event`, raise(site, device, 'bench.preload', 1), { qos: 1 }));
      }
      await Promise.all(sends);
      await waitFor('the preloaded alarms in the API', async () => {
        const { alarms } = await stack.api<{ alarms: unknown[] }>('viewer', '/api/alarms?state=active-unacknowledged&limit=1000');
        return alarms.length >= preload ? true : undefined;
      }, 60_000, 200);

      // First load: login click → every row on screen.
      const firstLoads: number[] = [];
      for (let k = 0; k < loads; k++) {
        const context = await stack.browser.newContext({ viewport: { width: 1366, height: 768 } });
        const page = await context.newPage();
        // Operators land on the plant overview; the console is what this bench measures.
        await page.goto(`${stack.baseUrl}/alarms`);
        await page.fill('#login-user', 'olga');
        await page.fill('#login-pass', TEST_PASSWORD);
        const started = nowMs();
        await page.click('button[type=submit]');
        await page.waitForFunction((n) => ((globalThis as unknown as PageGlobals).document.querySelector('[data-testid=alarm-rows]')?.children.length ?? 0) >= n, preload, { polling: 'raf', timeout: 30_000 });
        firstLoads.push(nowMs() - started);
        await context.close();
      }
      firstLoads.sort((a, b) => a - b);
      process.stdout.write(`first load (login click → ${preload} alarm rows, ${loads} runs): median ${ms(percentile(firstLoads, 0.5))}, best ${ms(firstLoads[0] ?? Number.NaN)}, worst ${ms(firstLoads[firstLoads.length - 1] ?? Number.NaN)} (target < 1 s)\n`);

      // Live latency.
      const context = await stack.browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(`${stack.baseUrl}/alarms`);
      await page.fill('#login-user', 'olga');
      await page.fill('#login-pass', TEST_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForFunction((n) => ((globalThis as unknown as PageGlobals).document.querySelector('[data-testid=alarm-rows]')?.children.length ?? 0) >= n, preload, { timeout: 30_000 });
      await page.waitForSelector('.live-open');
      // In the page (a string: this file is compiled without DOM types).
      await page.evaluate(`(() => {
        const seen = {};
        globalThis.flSeen = seen;
        new MutationObserver((records) => {
          const at = performance.timeOrigin + performance.now();
          for (const r of records) for (const n of r.addedNodes) {
            const code = n.getAttribute && n.getAttribute('data-code');
            if (code && code.startsWith('bench.live.') && !(code in seen)) seen[code] = at;
          }
        }).observe(document.querySelector('[data-testid=alarm-rows]'), { childList: true });
        // Main-thread tasks over 50 ms while events arrive (what delays a row).
        const longTasks = [];
        globalThis.flLongTasks = longTasks;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask' });
        // A second stream in the page splits the figure: when the event reached the browser.
        const arrived = {};
        globalThis.flArrived = arrived;
        new EventSource('/api/stream').addEventListener('alarm', (e) => {
          const at = performance.timeOrigin + performance.now();
          const code = JSON.parse(e.data).code;
          if (code.startsWith('bench.live.') && !(code in arrived)) arrived[code] = at;
        });
      })()`);
      await new Promise((r) => setTimeout(r, 500));
      // Page clock vs ours: the page's stamp against the midpoint of the round trip.
      const offset = await pageClockOffset(page);

      const sentAt = new Map<string, number>();
      for (let i = 0; i < events; i++) {
        const site = `m-${String(i).padStart(3, '0')}`;
        const code = `bench.live.${i}`;
        const payload = raise(site, 'd-0', code, 1);
        sentAt.set(code, nowMs());
        void client.publishAsync(`fl/v1/${site}/d-0/event`, payload, { qos: 1 });
        await new Promise((r) => setTimeout(r, gapMs));
      }
      const seen = await waitFor('every live alarm on screen', async () => {
        const s = await page.evaluate(() => (globalThis as unknown as { flSeen: Record<string, number> }).flSeen);
        return Object.keys(s).length >= events ? s : undefined;
      }, 15_000, 100).catch(async () => page.evaluate(() => (globalThis as unknown as { flSeen: Record<string, number> }).flSeen));
      const lat = [...sentAt].filter(([code]) => code in seen).map(([code, at]) => (seen[code] as number) - offset - at).sort((a, b) => a - b);
      const arrived = await page.evaluate(() => (globalThis as unknown as { flArrived: Record<string, number> }).flArrived);
      const toBrowser = [...sentAt].filter(([code]) => code in arrived).map(([code, at]) => (arrived[code] as number) - offset - at).sort((a, b) => a - b);
      const toDom = [...sentAt.keys()].filter((code) => code in arrived && code in seen).map((code) => (seen[code] as number) - (arrived[code] as number)).sort((a, b) => a - b);
      const rows = await page.evaluate(rowCount);
      const longTasks = await page.evaluate(() => (globalThis as unknown as { flLongTasks: number[] }).flLongTasks);
      process.stdout.write(`live: ${lat.length}/${events} alarms seen, one every ${gapMs} ms, ${rows} rows on screen at the end; page clock offset ${ms(offset)} (corrected)\n`);
      process.stdout.write(`publish (raw MQTT QoS 1 protobuf) → row in the DOM: p50 ${ms(percentile(lat, 0.5))}, p90 ${ms(percentile(lat, 0.9))}, p99 ${ms(percentile(lat, 0.99))}, max ${ms(lat[lat.length - 1] ?? Number.NaN)} (target p99 < 250 ms)\n`);
      process.stdout.write(`  of which publish → event at the browser (a second EventSource in the page): p50 ${ms(percentile(toBrowser, 0.5))}, p99 ${ms(percentile(toBrowser, 0.99))}; `
        + `event at the browser → row in the DOM: p50 ${ms(percentile(toDom, 0.5))}, p99 ${ms(percentile(toDom, 0.99))}; `
        + `${longTasks.length} main-thread tasks over 50 ms (longest ${ms(Math.max(0, ...longTasks))})\n`);
      await context.close();
    } finally {
      await client.endAsync(true);
    }
  } finally {
    await stack.stop();
  }
}

// Run directly: node dist/tests/bench/dashboard-latency.js
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await runDashboardLatencyBench();
