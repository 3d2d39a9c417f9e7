/** Time-axis labels for charts in the UI language and the chosen time zone (uPlot's own are US-style dates in the browser's zone). */
import { fmtDateTime, timeZone } from './format';
import { currentLang } from './i18n';

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'hm' | 'hms' | 'hmsf' | 'day-hm'): Intl.DateTimeFormat {
  const locale = currentLang() === 'zh' ? 'zh-CN' : 'en-GB';
  const key = `${kind}|${locale}|${timeZone()}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = kind === 'hmsf' ? { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 1, hourCycle: 'h23' }
      : kind === 'hms' ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
      : kind === 'hm' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: timeZone() });
    cache.set(key, f);
  }
  return f;
}

/** Labels for the x splits (uPlot seconds): tenths when ticks are under a second apart, seconds when under a minute, the date when the range spans more than a day. */
export function timeAxisLabels(splitsS: readonly number[], rangeS: number): string[] {
  const step = splitsS.length > 1 ? Math.abs((splitsS[1] ?? 0) - (splitsS[0] ?? 0)) : rangeS;
  const kind = rangeS > 86_400 ? 'day-hm' : step < 1 ? 'hmsf' : step < 60 ? 'hms' : 'hm';
  const f = formatter(kind);
  return splitsS.map((s) => f.format(s * 1000));
}

/** The legend's time value (uPlot seconds). */
export const legendTime = (s: number | null | undefined): string => (s == null ? '' : fmtDateTime(s * 1000));
