/**
 * The demo's plant, as data: which simulated devices run, of which kind (firmware adapter, model,
 * firmware), on which site, and when each one faults. Two sites of three devices each (drives and
 * a PLC on the line; a gateway, an energy meter and a temperature controller in the utilities), so
 * the overview shows variety; their criticality (A/B/C) lives in bin/demo-desk.yaml, so faults come
 * out at several priorities. Faults are spread over the plant: one about every `faultEveryS`
 * seconds somewhere, each device in turn, so no site is flooded at the default rate.
 */
export interface DemoDevice {
  id: string;
  site: string;
  /** Firmware adapter id (firmware-adapters/devices/). */
  adapter: string;
  model: string;
  firmware: string;
}

export const LINE_SITE = 'demo-plant';
/** One fault somewhere in the plant this often by default: at 6 devices on 2 sites, at most 9 per site in 10 minutes (the flood starts above 10). */
export const DEFAULT_FAULT_EVERY_S = 40;
export const DEFAULT_DRIVES = 2;
export const UTILITIES_SITE = 'demo-utilities';

/** `drives` drives (1-50) on the line with a PLC; the utilities: a gateway, a meter and a temperature controller. */
export function demoPlant(drives: number): DemoDevice[] {
  const out: DemoDevice[] = [];
  for (let i = 1; i <= drives; i++) out.push({ id: `drive-${i}`, site: LINE_SITE, adapter: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1' });
  out.push({ id: 'plc-1', site: LINE_SITE, adapter: 'generic-plc', model: 'PLC-200', firmware: 'V3.1' });
  out.push({ id: 'gw-1', site: UTILITIES_SITE, adapter: 'linux-gateway', model: 'GW-400', firmware: '4.2' });
  out.push({ id: 'meter-1', site: UTILITIES_SITE, adapter: 'three-phase-meter', model: 'EM-3P20', firmware: '1.8' });
  out.push({ id: 'tc-1', site: UTILITIES_SITE, adapter: 'temperature-controller', model: 'TC-48', firmware: '2.0' });
  return out;
}

export interface FaultSlot {
  /** Time between two faults of this device. */
  everyMs: number;
  /** Its first fault after start. */
  firstAfterMs: number;
}

/** Device `index` of `count` faults every count × faultEveryS, its first after 3 s + index × faultEveryS: one fault somewhere every faultEveryS. */
export function faultSlot(index: number, count: number, faultEveryS: number): FaultSlot {
  return { everyMs: count * faultEveryS * 1000, firstAfterMs: 3000 + index * faultEveryS * 1000 };
}

/** Injected faults per site within a window (what the flood detector sees at most, one alarm per fault). */
export function faultsPerSite(plant: readonly DemoDevice[], faultEveryS: number, windowMs: number): Map<string, number> {
  const out = new Map<string, number>();
  plant.forEach((d, i) => {
    const slot = faultSlot(i, plant.length, faultEveryS);
    out.set(d.site, (out.get(d.site) ?? 0) + Math.ceil(windowMs / slot.everyMs));
  });
  return out;
}
