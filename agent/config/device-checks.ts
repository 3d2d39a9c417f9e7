/**
 * Config checks of the devices list that work on the raw data, so that they run even when the
 * schema found other problems (one run shows every error): unique device ids, and that every
 * device finds its adapter. An unknown model names the device, the known models and the nearest
 * one; a model whose adapter does not cover the firmware says so; an adapter id typo gets a
 * "did you mean".
 */
import type { Adapter } from '../../firmware-adapters/schema.js';
import { locate, type ConfigProblem, type LocateKey } from '../../protocol/config-errors.js';

interface RawDevice {
  id?: unknown;
  site?: unknown;
  model?: unknown;
  firmware?: unknown;
  adapter?: unknown;
  registers?: unknown;
}

function rawDevices(data: unknown): Array<RawDevice | undefined> {
  const devices = (data as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(devices)) return [];
  return devices.map((d) => (typeof d === 'object' && d !== null ? d as RawDevice : undefined));
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Levenshtein distance (small strings: ids and model names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** A model name a pattern like ^VFD-\d{4}$ stands for ("VFD-0000"), digits as 0, optional parts left out. */
export function patternSkeleton(pattern: string): string {
  return pattern
    .replace(/^\^|\$$/g, '')
    .replace(/\([^()]*\)\?/g, '')
    .replace(/\[[^\]]*\]\?/g, '')
    .replace(/\\d\{(\d+)(?:,\d*)?\}/g, (_m, n: string) => '0'.repeat(Number(n)))
    .replace(/\\d[+*]?/g, '0')
    .replace(/\[([^\]])[^\]]*\][+*]?/g, '$1')
    .replace(/\\(.)/g, '$1')
    .replace(/[?*+]/g, '');
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

/** Unique site/device ids; works on raw data. */
export function duplicateIdProblems(data: unknown, lineOf: LocateKey): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  rawDevices(data).forEach((d, i) => {
    const id = text(d?.id);
    const site = text(d?.site);
    if (id === undefined || site === undefined) return;
    const key = `${site}/${id}`;
    const first = seen.get(key);
    const path = ['devices', String(i), 'id'];
    if (first !== undefined) problems.push({ key: path.join('.'), ...locate(lineOf, path), message: `device ${key} is already defined as devices.${first}`, fix: 'give every device of a site its own id' });
    else seen.set(key, i);
  });
  return problems;
}

/** Every device must find an adapter, by `adapter:` id or by model and firmware; works on raw data. */
export function adapterProblems(data: unknown, adapters: readonly Adapter[], lineOf: LocateKey): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = adapters.map((a) => `${a.id} (${a.match.model})`).join(', ');
  rawDevices(data).forEach((d, i) => {
    if (!d) return;
    const who = `device ${text(d.site) ?? '?'}/${text(d.id) ?? `#${i}`}`;
    const add = (key: string, message: string, fix: string): void => {
      const path = ['devices', String(i), key];
      problems.push({ key: path.join('.'), ...locate(lineOf, path), message: `${who}: ${message}`, fix });
    };
    if (d.registers !== undefined) return; // an inline register map is its own adapter (inline-adapter.ts)
    const adapterId = text(d.adapter);
    if (adapterId !== undefined) {
      if (adapters.some((a) => a.id === adapterId)) return;
      const nearest = [...adapters].sort((a, b) => editDistance(adapterId, a.id) - editDistance(adapterId, b.id))[0];
      const guess = nearest && editDistance(adapterId, nearest.id) <= Math.max(2, Math.floor(adapterId.length / 3)) ? `; did you mean ${nearest.id}?` : '';
      add('adapter', `no adapter "${adapterId}"`, `use one of: ${adapters.map((a) => a.id).join(', ')}${guess}`);
      return;
    }
    const model = text(d.model);
    const firmware = text(d.firmware);
    if (model === undefined || firmware === undefined) return; // the schema reports those
    const byModel = adapters.filter((a) => matches(a.match.model, model));
    if (byModel.length === 0) {
      const shape = model.replace(/\d/g, '0');
      const nearest = [...adapters].sort((a, b) => editDistance(shape, patternSkeleton(a.match.model)) - editDistance(shape, patternSkeleton(b.match.model)))[0];
      add('model', `no adapter matches model "${model}" firmware "${firmware}"`,
        `use a model the adapters know, or set devices.${i}.adapter, or add an adapter file (adapterFiles); known models: ${known}${nearest ? `; nearest: ${nearest.id} (${nearest.match.model})` : ''}`);
      return;
    }
    if (byModel.some((a) => !a.match.firmware || matches(a.match.firmware, firmware))) return;
    const a = byModel[0]!;
    add('firmware', `model "${model}" is ${a.id}'s, but firmware "${firmware}" does not match ${a.match.firmware ?? ''}`,
      `check devices.${i}.firmware; to use ${a.id} anyway set devices.${i}.adapter: ${a.id}, or add an adapter file for this firmware (adapterFiles)`);
  });
  return problems;
}
