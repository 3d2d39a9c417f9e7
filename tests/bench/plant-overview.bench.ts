/**
 * The plant overview with 1,000 devices, in real headless Chromium against a real collector (in
 * this process, on 127.0.0.1): 10 sites × 100 drives, each born with a VFD catalogue and a few
 * samples stored, some in alarm, while every device keeps sending telemetry (a background of
 * `backgroundRate` messages/s, QoS 0). Figures:
 *  - first paint: from the login click (an operator lands on the overview) until the first page
 *    of device rows is on screen with values, with the login's own answer time given apart, and
 *    the same from a reload of the overview by an operator already logged in;
 *  - value change visible: a raw MQTT publish (QoS 1) of a telemetry sample with a new value for a
 *    device on screen until its key value shows that value in the DOM (a MutationObserver in the
 *    page stamps it; both stamps on this machine's clock, corrected by the page-vs-node offset);
 *    its peer in the same run is the alarm console's row latency (dashboard-latency.ts).
 * Prints figures; asserts nothing. Targets: first paint < 1 s, value change p99 < 250 ms.
 */
import { uuidv7 } from 'uuidv7';
import { encodeBirth, encodeFaultEvent, encodeTelemetry } from '../../protocol/codec.js';
import type { ParameterInfo } from '../../protocol/values.js';
import { startBrowserStack } from '../browser/browser-stack.js';
import { TEST_PASSWORD } from '../helpers/api-auth.js';
import { waitFor } from '../helpers/wait.js';
import { benchClient, percentile } from './bench-processes.js';
import { nowMs, pageClockOffset } from './page-clock.js';

export interface PlantBenchOptions {
  sites?: number;
  perSite?: number;
  changes?: number;
  gapMs?: number;
  loads?: number;
  backgroundRate?: number;
}

/** The bit of the page's DOM the bench reads (this file is compiled without DOM types). */
interface PageGlobals { document: { querySelectorAll(s: string): { length: number } } }

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

const CATALOGUE: ParameterInfo[] = [
  { name: 'output_frequency', unit: 'Hz', description: 'Output frequency', writable: false, source: 'modbus' },
  { name: 'motor_current', unit: 'A', description: 'Motor current', writable: false, source: 'modbus' },
  { name: 'dc_bus_voltage', unit: 'V', description: 'DC bus voltage', writable: false, source: 'modbus' },
  { name: 'heatsink_temperature', unit: '°C', description: 'Heatsink temperature', writable: false, source: 'modbus' },
];
const siteName = (i: number): string => `site-${String(i).padStart(2, '0')}`;
const deviceName = (i: number): string => `drive-${String(i).padStart(3, '0')}`;

function telemetry(site: string, device: string, voltage: number, timeMs: number): Buffer {
  return Buffer.from(encodeTelemetry({
    site, device, samples: [
      { parameter: 'output_frequency', value: 50, quality: 'good', timeMs },
      { parameter: 'motor_current', value: 12.5, quality: 'good', timeMs },
      { parameter: 'dc_bus_voltage', value: voltage, quality: 'good', timeMs },
      { parameter: 'heatsink_temperature', value: 45, quality: 'good', timeMs },
    ],
  }));
}

export async function runPlantOverviewBench(o: PlantBenchOptions = {}): Promise<void> {
  const sites = o.sites ?? 10;
  const perSite = o.perSite ?? 100;
  const changes = o.changes ?? 200;
  const gapMs = o.gapMs ?? 100;
  const loads = o.loads ?? 5;
  const backgroundRate = o.backgroundRate ?? 200;
  const total = sites * perSite;

  const stack = await startBrowserStack({ device: false });
  try {
    const client = await benchClient(stack.collector.mqttUrl, 'fl-bench-plant');
    let background: NodeJS.Timeout | undefined;
    try {
      const sends: Array<Promise<unknown>> = [];
      for (let s = 0; s < sites; s++) {
        for (let d = 0; d < perSite; d++) {
          const site = siteName(s);
          const device = deviceName(d);
          sends.push(client.publishAsync(`fl/v1/${site}/${device}/birth`, Buffer.from(encodeBirth({
            site, device, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'bench', parameters: CATALOGUE, timeMs: Date.now(), sessionId: `bench-${s}-${d}`,
          })), { qos: 1 }));
          // An hour of history at one sample a minute (the sparklines).
          for (let k = 60; k >= 0; k -= 10) sends.push(client.publishAsync(`fl/v1/${site}/${device}/telemetry`, telemetry(site, device, 560 + k, Date.now() - k * 60_000), { qos: 1 }));
          if (d % 25 === 24) {
            sends.push(client.publishAsync(`fl/v1/${site}/${device}/event`, Buffer.from(encodeFaultEvent({
              id: uuidv7(), device, site, seq: 1, timeMs: Date.now(), source: 'modbus', category: 'hardware', code: 'bench.plant', severity: d % 50 === 49 ? 'critical' : 'minor',
              transition: 'raise', message: 'plant bench fault', snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
            })), { qos: 1 }));
          }
        }
      }
      await Promise.all(sends);
      await waitFor('every device in the overview', async () => {
        const { devices } = await stack.api<{ devices: Array<{ values: unknown[] }> }>('viewer', '/api/plant');
        return devices.length >= total && devices.every((d) => d.values.length >= 4) ? true : undefined;
      }, 120_000, 500);

      // The plant keeps talking while we measure (never the devices measured below: site-00).
      let next = 0;
      const perTick = Math.max(1, Math.round(backgroundRate / 20));
      background = setInterval(() => {
        for (let k = 0; k < perTick; k++) {
          const i = perSite + (next++ % (total - perSite));
          const site = siteName(Math.floor(i / perSite));
          const device = deviceName(i % perSite);
          void client.publishAsync(`fl/v1/${site}/${device}/telemetry`, telemetry(site, device, 550 + (i % 40), Date.now()), { qos: 0 });
        }
      }, 50);

      /** Runs in the page: value cells of device rows on screen (a function: the CSP refuses evaluated strings there). */
      const valuesShown = (n: number): boolean => ((globalThis as unknown as PageGlobals).document.querySelectorAll('tr.plant-row .pv-value').length >= n);
      const firstPage = Math.min(100, perSite) * 3;
      /** Runs in every document before its scripts: stamps the first animation frame with `n` value cells on screen (ms since navigation start). */
      const stampFirstRows = (n: number): void => {
        const g = globalThis as unknown as PageGlobals & { flFirstRowsAt?: number; requestAnimationFrame: (f: () => void) => void; performance: { now(): number } };
        const check = (): void => {
          if (g.document.querySelectorAll('tr.plant-row .pv-value').length >= n) g.flFirstRowsAt = g.performance.now();
          else g.requestAnimationFrame(check);
        };
        g.requestAnimationFrame(check);
      };
      /** Round trip and the server's own time (Server-Timing: store reads + building the rows) of GET path, `runs` times. */
      const timeApi = async (path: string, runs: number): Promise<{ rtt: number[]; server: number[]; bytes: number }> => {
        const rtt: number[] = [];
        const server: number[] = [];
        let bytes = 0;
        for (let k = 0; k < runs; k++) {
          const started = nowMs();
          const res = await fetch(`${stack.baseUrl}${path}`, { headers: stack.callers.viewer.headers });
          const body = await res.arrayBuffer();
          rtt.push(nowMs() - started);
          bytes = body.byteLength;
          const timing = res.headers.get('server-timing') ?? '';
          server.push([...timing.matchAll(/dur=([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0));
        }
        return { rtt: rtt.sort((a, b) => a - b), server: server.sort((a, b) => a - b), bytes };
      };
      const whole = await timeApi('/api/plant', 5);
      const paged = await timeApi('/api/plant?size=100&page=0', 10);
      const firstPaints: number[] = [];
      const logins: number[] = [];
      const reloads: number[] = [];
      const inPage: number[] = [];
      for (let k = 0; k < loads; k++) {
        const context = await stack.browser.newContext({ viewport: { width: 1366, height: 768 } });
        // In every document: stamp (on the page's clock, from its navigation start) the first frame with the first page's values on screen.
        await context.addInitScript(stampFirstRows, firstPage);
        const page = await context.newPage();
        await page.goto(`${stack.baseUrl}/`);
        await page.fill('#login-user', 'olga');
        await page.fill('#login-pass', TEST_PASSWORD);
        const started = nowMs();
        const loginAnswered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login')).then(() => nowMs());
        await page.click('button[type=submit]');
        await page.waitForFunction(valuesShown, firstPage, { polling: 'raf', timeout: 30_000 });
        firstPaints.push(nowMs() - started);
        logins.push((await loginAnswered) - started);
        // The same operator opening the overview again (a reload: the session cookie is kept).
        const reloaded = nowMs();
        await page.reload();
        await page.waitForFunction(valuesShown, firstPage, { polling: 'raf', timeout: 30_000 });
        reloads.push(nowMs() - reloaded);
        inPage.push(await page.waitForFunction(() => (globalThis as unknown as { flFirstRowsAt?: number }).flFirstRowsAt).then((h) => h.jsonValue()) as number);
        await context.close();
      }
      for (const list of [firstPaints, logins, reloads, inPage]) list.sort((a, b) => a - b);
      process.stdout.write(`plant overview, ${total} devices at ${sites} sites (${backgroundRate} telemetry msg/s in the background)\n`);
      process.stdout.write(`GET /api/plant, every device (${total} devices, ${(whole.bytes / 1024).toFixed(0)} KiB, 5 runs): median ${ms(percentile(whole.rtt, 0.5))}, best ${ms(whole.rtt[0] ?? Number.NaN)}; server side (reads + rows) median ${ms(percentile(whole.server, 0.5))}\n`);
      process.stdout.write(`GET /api/plant?size=100, the page the overview asks for (${(paged.bytes / 1024).toFixed(0)} KiB, 10 runs): median ${ms(percentile(paged.rtt, 0.5))}, best ${ms(paged.rtt[0] ?? Number.NaN)}; server side (reads + rows) median ${ms(percentile(paged.server, 0.5))}, best ${ms(paged.server[0] ?? Number.NaN)}\n`);
      process.stdout.write(`first paint (login click → first page of 100 device rows with values, ${loads} runs): median ${ms(percentile(firstPaints, 0.5))}, best ${ms(firstPaints[0] ?? Number.NaN)}, worst ${ms(firstPaints[firstPaints.length - 1] ?? Number.NaN)} (target < 1 s)\n`);
      process.stdout.write(`  of which the login answer (password check, session): median ${ms(percentile(logins, 0.5))}, best ${ms(logins[0] ?? Number.NaN)}, worst ${ms(logins[logins.length - 1] ?? Number.NaN)}\n`);
      process.stdout.write(`overview opened again when logged in (reload → first page of 100 device rows with values, ${loads} runs): median ${ms(percentile(reloads, 0.5))}, best ${ms(reloads[0] ?? Number.NaN)}, worst ${ms(reloads[reloads.length - 1] ?? Number.NaN)} (target < 1 s)\n`);
      process.stdout.write(`  the same on the page's own clock (navigation start → first frame with those rows): median ${ms(percentile(inPage, 0.5))}, best ${ms(inPage[0] ?? Number.NaN)}, worst ${ms(inPage[inPage.length - 1] ?? Number.NaN)} (the rest is the old page's unload and the test driver's round trips)\n`);

      const context = await stack.browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(`${stack.baseUrl}/`);
      await page.fill('#login-user', 'olga');
      await page.fill('#login-pass', TEST_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForFunction(valuesShown, firstPage, { timeout: 30_000 });
      await page.waitForSelector('.live-open');
      // In the page: stamp when a device's voltage shows the value we wait for.
      await page.evaluate(`(() => {
        const want = {}; const seen = {};
        globalThis.flWant = want; globalThis.flSeen = seen;
        const check = () => {
          const at = performance.timeOrigin + performance.now();
          for (const key of Object.keys(want)) {
            const [device, text] = [key.split('|')[0], want[key]];
            const el = document.querySelector('tr.plant-row[data-site="${siteName(0)}"][data-device="' + device + '"] .pv[data-param="dc_bus_voltage"] .pv-value');
            if (el && el.textContent === text) { seen[key] = at; delete want[key]; }
          }
        };
        new MutationObserver(check).observe(document.querySelector('table.plant-table tbody'), { childList: true, subtree: true, characterData: true });
      })()`);
      const offset = await pageClockOffset(page);

      const sentAt = new Map<string, number>();
      for (let i = 0; i < changes; i++) {
        const device = deviceName(i % perSite);
        const value = 600 + i / 10;
        const key = `${device}|${i}`;
        await page.evaluate(`globalThis.flWant[${JSON.stringify(key)}] = ${JSON.stringify(`${Number.isInteger(value) ? value : value.toFixed(1)} V`)}`);
        sentAt.set(key, nowMs());
        void client.publishAsync(`fl/v1/${siteName(0)}/${device}/telemetry`, telemetry(siteName(0), device, value, Date.now()), { qos: 1 });
        await new Promise((r) => setTimeout(r, gapMs));
      }
      const seen = await waitFor('every value change on screen', async () => {
        const s = await page.evaluate(() => (globalThis as unknown as { flSeen: Record<string, number> }).flSeen);
        return Object.keys(s).length >= changes ? s : undefined;
      }, 15_000, 100).catch(async () => page.evaluate(() => (globalThis as unknown as { flSeen: Record<string, number> }).flSeen));
      const lat = [...sentAt].filter(([key]) => key in seen).map(([key, at]) => (seen[key] as number) - offset - at).sort((a, b) => a - b);
      process.stdout.write(`value change visible (raw MQTT QoS 1 telemetry → new value in the overview's DOM, ${lat.length}/${changes} seen, one every ${gapMs} ms): `
        + `p50 ${ms(percentile(lat, 0.5))}, p90 ${ms(percentile(lat, 0.9))}, p99 ${ms(percentile(lat, 0.99))}, max ${ms(lat[lat.length - 1] ?? Number.NaN)} (target p99 < 250 ms)\n`);
      await context.close();
    } finally {
      clearInterval(background);
      await client.endAsync(true);
    }
  } finally {
    await stack.stop();
  }
}

// Run directly: node dist/tests/bench/plant-overview.bench.js
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await runPlantOverviewBench();
