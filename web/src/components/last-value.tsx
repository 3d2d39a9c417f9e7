/**
 * Last-known values on the device page: loaded from GET …/latest (on every stream (re)connect) and
 * kept current by the stream's `values` events for this device; shown with unit, quality and age.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api';
import { fmtDuration, fmtNumber, fmtTime } from '../format';
import { t } from '../i18n';
import { agedValue, qualityText } from '../quality';
import { live } from '../live';
import type { Latest, PlantValue, ValuesEvent } from '../plant/plant-types';
import type { CatalogueEntry } from '../types';

/** A device's last-known values by name, and per parameter the age after which one is stale. */
export interface LatestValues {
  values: Map<string, Omit<PlantValue, 'unit'>>;
  staleAfterMs: Record<string, number>;
}

export function useLatestValues(site: string, device: string): LatestValues {
  const [values, setValues] = useState(() => new Map<string, Omit<PlantValue, 'unit'>>());
  const [staleAfterMs, setStaleAfterMs] = useState<Record<string, number>>({});
  useEffect(() => {
    const load = (): void => {
      api.get<Latest>(`/api/devices/${enc(site)}/${enc(device)}/latest`)
        .then((r) => { setValues(new Map(r.values.map((v) => [v.name, v]))); setStaleAfterMs(r.staleAfterMs); }).catch(() => undefined);
    };
    const offs = [
      live.on('hello', load),
      live.on('values', (data) => {
        const e = data as ValuesEvent;
        if (e.site !== site || e.device !== device) return;
        setValues((prev) => {
          const next = new Map(prev);
          for (const v of e.values) if ((next.get(v.name)?.timeMs ?? -Infinity) <= v.timeMs) next.set(v.name, v);
          return next;
        });
      }),
    ];
    load();
    return () => offs.forEach((off) => off());
  }, [site, device]);
  return { values, staleAfterMs };
}

export function LastValue(props: { value: Omit<PlantValue, 'unit'> | undefined; unit: string; nowMs: number; name: string; staleAfterMs?: number | undefined }) {
  // A last-known value older than its stale age is shown stale as the clock moves (a dead agent's values never look fresh).
  const v = props.value && agedValue(props.value, props.staleAfterMs, props.nowMs);
  if (!v) return <span class="muted" data-testid={`latest-${props.name}`} data-quality="">{t('device.noValue')}</span>;
  return (
    <span data-testid={`latest-${props.name}`} data-quality={v.quality} data-reason={v.reason ?? ''}>
      <span class="lv-value">{v.quality !== 'bad' ? `${v.text ?? fmtNumber(v.value, 3)}${props.unit ? ` ${props.unit}` : ''}` : '—'}</span>
      {v.quality !== 'good' && <span class="tag q-tag">{qualityText(v)}</span>}
      {' '}<span class="muted lv-age" title={fmtTime(v.timeMs)}>{t('plant.ago', { age: fmtDuration(Math.max(0, props.nowMs - v.timeMs)) })}</span>
    </span>
  );
}

/** The parameters a trend starts with: the first two measured ones with a unit, else the first two. */
export function trendDefaults(catalogue: readonly CatalogueEntry[]): string[] {
  const measured = catalogue.filter((p) => p.source === 'modbus' && !p.writable && p.unit !== '');
  return (measured.length > 0 ? measured : catalogue).slice(0, 2).map((p) => p.name);
}
