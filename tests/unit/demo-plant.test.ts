/**
 * The demo plant as data (bin/demo-plant.ts with bin/demo-desk.yaml): at least three device kinds,
 * faults that come out at several priorities under the demo's criticality per device, and at the
 * default fault rate no site gets more new faults in a flood window than the flood limit.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_DRIVES, DEFAULT_FAULT_EVERY_S, demoPlant, faultSlot, faultsPerSite } from '../../bin/demo-plant.js';
import { loadDeskConfig } from '../../collector/desk-config/index.js';
import { assessPriority } from '../../collector/core/priority/priority-matrix.js';
import { adapterById } from '../../firmware-adapters/index.js';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { faultRecipes } from '../../firmware-adapters/simulator/fault-recipes.js';

const DESK = fileURLToPath(new URL('../../../bin/demo-desk.yaml', import.meta.url));

/** The severity of every fault the simulator can inject for this adapter. */
function injectedSeverities(adapter: Adapter): string[] {
  const sev = new Map<string, string>();
  for (const tb of adapter.faultTables) for (const def of Object.values(tb.codes)) sev.set(def.code, def.severity);
  for (const r of adapter.thresholds) sev.set(r.code, r.severity);
  for (const r of adapter.rules ?? []) sev.set(r.code, r.severity);
  return [...faultRecipes(adapter).keys()].map((code) => sev.get(code) ?? 'unknown');
}

t.test('the demo plant has variety and no flood at the default rate', async (t) => {
  const plant = demoPlant(DEFAULT_DRIVES);
  const kinds = new Set(plant.map((d) => d.adapter));
  t.ok(kinds.size >= 3, `at least three device kinds: ${[...kinds].join(', ')}`);
  for (const d of plant) t.ok(adapterById(d.adapter), `${d.id}: adapter ${d.adapter} exists`);
  t.equal(new Set(plant.map((d) => d.id)).size, plant.length, 'device ids are unique');

  const desk = loadDeskConfig(DESK, Date.now());
  const priorities = new Set<string>();
  for (const d of plant) {
    const sevs = injectedSeverities(adapterById(d.adapter));
    t.ok(sevs.length > 0, `${d.id} has faults the simulator can inject`);
    for (const severity of sevs) {
      if (severity === 'unknown') continue;
      priorities.add(assessPriority({ severity: severity as 'critical', site: d.site, device: d.id, devicesAffected: 1, productionStopped: false }, desk.priority).priority);
    }
  }
  t.ok(priorities.size >= 3, `faults at several priorities: ${[...priorities].sort().join(', ')}`);
  t.not([...priorities].join(), 'P1', 'not every fault is P1');

  const perSite = faultsPerSite(plant, DEFAULT_FAULT_EVERY_S, desk.flood.windowMs);
  for (const [site, n] of perSite) t.ok(n <= desk.flood.startAbove, `${site}: at most ${n} faults per flood window (flood starts above ${desk.flood.startAbove})`);
  // The schedule: one fault somewhere every DEFAULT_FAULT_EVERY_S, devices in turn.
  const firsts = plant.map((_, i) => faultSlot(i, plant.length, DEFAULT_FAULT_EVERY_S).firstAfterMs);
  t.same(firsts.map((f, i) => (i === 0 ? 0 : f - (firsts[i - 1] ?? 0))).slice(1), Array(plant.length - 1).fill(DEFAULT_FAULT_EVERY_S * 1000), 'first faults spread evenly');
});
