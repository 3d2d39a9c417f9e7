/**
 * A device page's SQL, shared by both store adapters: devices in (site, device) order after a
 * position, and the count of all. A position's value is "site/device" (ids hold no "/").
 */
import type { Placeholder } from './keyset-sql.js';
import type { DeviceState } from '../core/devices/device-registry.js';
import type { DevicePageQuery, PagePosition } from './port/paging.js';

export const devicePosition = (d: DeviceState): PagePosition => ({ value: `${d.site}/${d.device}`, id: 0 });

export function devicePageSql(q: DevicePageQuery, ph: Placeholder, text: (expr: string) => string): string {
  const site = text('site');
  const device = text('device');
  let where = '';
  if (q.after) {
    const value = String(q.after.value);
    const cut = value.indexOf('/');
    const s = value.slice(0, cut);
    where = `WHERE (${site} > ${ph(s)} OR (${site} = ${ph(s)} AND ${device} > ${ph(value.slice(cut + 1))}))`;
  }
  return `SELECT * FROM devices ${where} ORDER BY ${site}, ${device} LIMIT ${ph(q.limit + 1)}`;
}
