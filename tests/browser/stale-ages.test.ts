/**
 * A device that stops reporting turns stale on screen by itself (issue #14, item 2, what was left):
 * in real headless Chromium against a real collector, a test publisher speaks as a device (birth
 * with poll interval, telemetry interval and stale factor, then telemetry every half second), the
 * plant overview and the device page show its values good, then it goes silent while its MQTT
 * connection stays up (no death, no presence change, nothing on the live stream). Without a reload,
 * both pages must show its values stale (not refreshed in time) once they are older than the stale
 * age, and no sooner, and their "… ago" texts must keep advancing; the overview's sparkline is
 * marked stale and its time axis runs on to now. The browser's clock runs ten minutes behind the
 * server's: ages are judged by the server's clock, and still are after the browser's clock is set
 * right while the pages are open.
 */
import mqtt from 'mqtt';
import t from 'tap';
import type { Page } from 'playwright-core';
import { encodeBirth, encodeTelemetry } from '../../protocol/codec.js';
import type { ParameterInfo } from '../../protocol/values.js';
import { STALE_GRACE_MS } from '../../collector/core/devices/value-staleness.js';
import { waitFor } from '../helpers/wait.js';
import { startBrowserStack } from './browser-stack.js';

t.setTimeout(120_000);

const SITE = 'plant-n';
const DEVICE = 'silent-3';
const POLL_MS = 500;
const TELEMETRY_MS = 500;
const STALE_FACTOR = 2;
/** The collector's rule: factor × (poll + telemetry interval) + grace = 4 s. */
const STALE_AGE_MS = STALE_FACTOR * (POLL_MS + TELEMETRY_MS) + STALE_GRACE_MS;
/** The browser's clock behind the server's. */
const BROWSER_BEHIND_MS = 10 * 60_000;

const PARAMETERS: ParameterInfo[] = [
  { name: 'inlet_temp', unit: '°C', description: 'inlet temperature', writable: false, source: 'modbus', pollIntervalMs: POLL_MS },
  { name: 'line_pressure', unit: 'bar', description: 'line pressure', writable: false, source: 'modbus', pollIntervalMs: POLL_MS },
];

/** "12s ago", "1m 05s ago" → seconds. */
function agoSeconds(text: string): number {
  const m = /^(?:(\d+)m )?(\d+)s ago$/.exec(text.trim());
  if (!m) throw new Error(`not an age: ${JSON.stringify(text)}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

t.test('a silent device\'s values turn stale on the open overview and device page, without reload', async (t) => {
  const stack = await startBrowserStack({ device: false });
  t.teardown(() => stack.stop());

  // The device: birth, then a sample of each parameter every TELEMETRY_MS until told to stop.
  const client = await mqtt.connectAsync(stack.collector.mqttUrl, { clientId: `fl-${SITE}-${DEVICE}`, protocolVersion: 4, keepalive: 5 });
  t.teardown(() => client.endAsync(true));
  const base = `fl/v1/${SITE}/${DEVICE}`;
  await client.publishAsync(`${base}/birth`, Buffer.from(encodeBirth({
    site: SITE, device: DEVICE, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'test',
    parameters: PARAMETERS, timeMs: Date.now(), sessionId: 's1', telemetryIntervalMs: TELEMETRY_MS, staleFactor: STALE_FACTOR,
  })), { qos: 1 });
  let lastSampleMs = 0;
  let n = 0;
  const publish = async (): Promise<void> => {
    const timeMs = Date.now();
    n++;
    await client.publishAsync(`${base}/telemetry`, Buffer.from(encodeTelemetry({
      site: SITE, device: DEVICE,
      samples: [
        { parameter: 'inlet_temp', value: 40 + (n % 5), quality: 'good', timeMs },
        { parameter: 'line_pressure', value: 6 + (n % 3) / 10, quality: 'good', timeMs },
      ],
    })), { qos: 1 });
    lastSampleMs = timeMs;
  };
  await publish();
  const ticker = setInterval(() => { void publish().catch(() => undefined); }, TELEMETRY_MS);
  t.teardown(() => clearInterval(ticker));

  const errors: string[] = [];
  const { context, page: overview } = await stack.login('operator');
  await context.clock.install({ time: Date.now() - BROWSER_BEHIND_MS });
  const devicePage = await context.newPage();
  for (const [p, who] of [[overview, 'overview'], [devicePage, 'device page']] as const) p.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  await overview.goto(`${stack.baseUrl}/plant`);
  await devicePage.goto(`${stack.baseUrl}/devices/${SITE}/${DEVICE}`);

  const pv = (name: string): string => `tr.plant-row[data-device="${DEVICE}"] .pv[data-param="${name}"]`;
  const lv = (name: string): string => `[data-testid="latest-${name}"]`;
  const shown: Array<[Page, (name: string) => string, string]> = [[overview, pv, 'overview'], [devicePage, lv, 'device page']];
  const ageOf = async (p: Page, sel: string): Promise<number> => agoSeconds((await p.locator(`${sel} .pv-age, ${sel} .lv-age`).first().textContent({ timeout: 2000 })) ?? '');
  /** Every value's quality on both pages, each page read in one evaluation (both at once), so that the answer is of one instant. */
  const allAre = async (quality: string): Promise<boolean> => {
    const read = ([p, sel]: (typeof shown)[number]): Promise<Array<string | null>> =>
      p.evaluate<Array<string | null>>(`${JSON.stringify(PARAMETERS.map(({ name }) => sel(name)))}.map((s) => { const el = document.querySelector(s); return el && el.getAttribute('data-quality'); })`);
    return (await Promise.all(shown.map(read))).flat().every((q) => q === quality);
  };

  const behind = Date.now() - await overview.evaluate(() => Date.now());
  t.ok(Math.abs(behind - BROWSER_BEHIND_MS) < 5000, `the browser's clock is ${Math.round(behind / 1000)} s behind the server's`);
  await waitFor('both pages show the values good', async () => ((await allAre('good')) ? true : undefined), 20_000, 200);
  const spark = overview.locator(`tr.plant-row[data-device="${DEVICE}"] svg.spark`);
  await waitFor('a sparkline on the overview', async () => (Number(await spark.getAttribute('data-points')) >= 2 ? true : undefined), 10_000, 200);
  t.equal(await spark.getAttribute('data-stale'), 'false', 'the sparkline of a reporting device is not marked stale');
  /** Where the sparkline's last point is drawn (px from the left). */
  const sparkEndX = async (): Promise<number> => Number(((await spark.locator('polyline').getAttribute('points')) ?? '').trim().split(' ').pop()?.split(',')[0]);
  for (const [p, sel, who] of shown) {
    t.ok((await ageOf(p, sel('inlet_temp'))) <= 3, `${who}: a fresh value is seconds old by the server's clock (the browser's is 10 min behind)`);
    await p.evaluate(() => { (globalThis as { stillLoaded?: boolean }).stillLoaded = true; });
  }

  // The device goes silent; its connection stays up (keepalive), so nothing tells the pages.
  clearInterval(ticker);
  await new Promise((r) => setTimeout(r, 300));
  const silentFrom = lastSampleMs;
  const { devices } = await stack.api<{ devices: Array<{ device: string; online: boolean }> }>('operator', '/api/devices');
  t.ok(devices.find((d) => d.device === DEVICE)?.online, 'the device is still online (no death, no presence event)');

  // Well inside the stale age: still good (the pages do not judge too early).
  await new Promise((r) => setTimeout(r, Math.max(0, silentFrom + STALE_AGE_MS - 1500 - Date.now())));
  t.ok(await allAre('good'), `${STALE_AGE_MS - 1500} ms after the last sample both pages still show good`);
  const before = await Promise.all(shown.map(([p, sel]) => ageOf(p, sel('inlet_temp'))));

  // Past the stale age, stale within a few seconds more: no reload, no event.
  const deadline = silentFrom + STALE_AGE_MS + 4000;
  await waitFor('both pages show the values stale', async () => ((await allAre('stale')) ? true : undefined), Math.max(1000, deadline - Date.now()), 100);
  const staleAfter = Date.now() - silentFrom;
  t.ok(staleAfter >= STALE_AGE_MS && staleAfter <= STALE_AGE_MS + 4000, `stale ${staleAfter} ms after the last sample (stale age ${STALE_AGE_MS} ms)`);
  for (const [p, sel, who] of shown) {
    t.equal(await p.locator(sel('inlet_temp')).first().getAttribute('data-reason'), 'overdue', `${who}: why: overdue`);
    t.equal(await p.locator(`${sel('inlet_temp')} .q-tag`).first().textContent(), 'stale: not refreshed in time', `${who}: stale, in words`);
    t.ok(await p.evaluate(() => (globalThis as { stillLoaded?: boolean }).stillLoaded === true), `${who}: the same page, not reloaded`);
  }

  t.equal(await spark.getAttribute('data-stale'), 'true', 'the sparkline is marked stale with its value');
  t.match(await spark.getAttribute('aria-label'), /stale: not refreshed in time/, 'and says so');
  const endX = await sparkEndX();

  // The "… ago" texts keep advancing; the sparkline's time axis runs on to now, so its last point moves left.
  await new Promise((r) => setTimeout(r, 2500));
  const after = await Promise.all(shown.map(([p, sel]) => ageOf(p, sel('inlet_temp'))));
  shown.forEach(([, , who], i) => t.ok((after[i] as number) >= (before[i] as number) + 3, `${who}: the age advanced from ${before[i]} s to ${after[i]} s`));
  const laterX = await sparkEndX();
  t.ok(laterX < endX, `the sparkline's last point moved left as the silence grew (x ${endX} -> ${laterX} of 96)`);

  // The browser's clock is set right while the pages stay open: with the offset measured at connect
  // the ages would run 10 min ahead for good; the stream's clock event (every 15 s) renews it.
  await context.clock.setSystemTime(Date.now());
  await new Promise((r) => setTimeout(r, 2000)); // past the pages' next tick: what they show is judged by the new browser time
  const caughtUp = await waitFor('ages by the server\'s clock again after the browser\'s was set', async () => {
    const ages = await Promise.all(shown.map(([p, sel]) => ageOf(p, sel('inlet_temp'))));
    const silentS = (Date.now() - silentFrom) / 1000;
    return ages.every((a) => Math.abs(a - silentS) <= 3) ? ages : undefined;
  }, 20_000, 250);
  t.ok(caughtUp.every((a) => a < 60), `both pages: ${caughtUp.join(' s, ')} s ago, not 10 min more`);
  t.same(errors, [], 'no page errors');
});
