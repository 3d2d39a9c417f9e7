/**
 * The plant overview's server work for 1,000 devices (10 sites × 100, four parameters each) on a
 * real SQLite store, without HTTP or a browser, in CPU time per request (less sensitive to a
 * busy machine than wall time): what GET /api/plant?size=100 does (every device's condition from
 * the registry, open alarms and the samples with reason 'unsupported'; values read and rows built
 * for the page's sites only), against its peer, what the overview did before it was paged (every
 * device's row with every last-known value, serialised; the same sort code, so the ratio is what
 * paging saves). Prints figures; asserts nothing.
 */
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { plantRows, plantSelect } from '../../collector/api/plant-view.js';
import type { ParameterInfo } from '../../protocol/values.js';
import { openTestStore } from '../helpers/test-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const CATALOGUE: ParameterInfo[] = ['output_frequency', 'motor_current', 'dc_bus_voltage', 'heatsink_temperature']
  .map((name, i) => ({ name, unit: ['Hz', 'A', 'V', '°C'][i] ?? '', description: name, writable: false, source: 'modbus' as const }));

export async function runPlantApiBench(o: { sites?: number; perSite?: number; runs?: number } = {}): Promise<void> {
  const sites = o.sites ?? 10;
  const perSite = o.perSite ?? 100;
  const runs = o.runs ?? 40;
  const dir = tempDir('faultline-plant-bench-');
  const now = Date.now();
  const store = openTestStore(dir.path, now);
  try {
    const messages: IngestMessage[] = [];
    for (let s = 0; s < sites; s++) {
      for (let d = 0; d < perSite; d++) {
        const site = `site-${String(s).padStart(2, '0')}`;
        const device = `drive-${String(d).padStart(3, '0')}`;
        messages.push({ kind: 'birth', receivedMs: now, birth: { site, device, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '1', agentVersion: 'bench', parameters: CATALOGUE, timeMs: now, sessionId: `${site}-${device}` } });
        messages.push({ kind: 'telemetry', receivedMs: now, telemetry: { site, device, samples: CATALOGUE.map((p, i) => ({ parameter: p.name, value: i + d, quality: 'good' as const, timeMs: now })) } });
      }
    }
    await store.ingest.commit(messages, now);
    const q = store.queries;

    const whole = async (): Promise<string> => {
      const [devices, latest] = [await q.listDevices(), await q.latestValues({})];
      const { picks } = plantSelect(devices, [], latest, () => null, {});
      return JSON.stringify(plantRows(picks, latest, now));
    };
    const paged = async (): Promise<string> => {
      const [devices, flagged] = [await q.listDevices(), await q.latestValues({ reason: 'unsupported' })];
      const { picks } = plantSelect(devices, [], flagged, () => null, { size: 100 });
      const pageSites = [...new Set(picks.map((p) => p.d.site))];
      const latest = (await Promise.all(pageSites.map((site) => q.latestValues({ site })))).flat();
      return JSON.stringify(plantRows(picks, latest, now));
    };
    const measure = async (fn: () => Promise<string>): Promise<{ cpuMs: number; wallMs: number; kib: number }> => {
      let kib = 0;
      for (let i = 0; i < 3; i++) kib = (await fn()).length / 1024;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await fn();
      const cpu = process.cpuUsage(cpu0);
      return { cpuMs: (cpu.user + cpu.system) / 1000 / runs, wallMs: (performance.now() - t0) / runs, kib };
    };
    const before = await measure(whole);
    const after = await measure(paged);
    const line = (name: string, m: { cpuMs: number; wallMs: number; kib: number }): string => `${name}: ${m.cpuMs.toFixed(1)} ms CPU, ${m.wallMs.toFixed(1)} ms wall per request (${m.kib.toFixed(0)} KiB JSON)`;
    process.stdout.write(`plant overview server work, ${sites * perSite} devices, ${runs} runs each (store reads + rows + JSON, no HTTP)\n`);
    process.stdout.write(`${line('every device with every value (the overview before paging)', before)}\n`);
    process.stdout.write(`${line('a page of 100 (GET /api/plant?size=100)', after)}; ${(before.cpuMs / after.cpuMs).toFixed(1)}x less CPU\n`);
  } finally {
    await store.close();
    dir.remove();
  }
}

// Run directly: node dist/tests/bench/plant-api.bench.js
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await runPlantApiBench();
