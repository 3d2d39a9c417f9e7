/** Times in the user's time zone (the browser's, or the one chosen in the header), durations, numbers. */
import { currentLang } from './i18n';

const TZ_KEY = 'fl.tz';
export const BROWSER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

function initialTz(): string {
  try {
    const saved = localStorage.getItem(TZ_KEY);
    if (saved) {
      new Intl.DateTimeFormat('en', { timeZone: saved });
      return saved;
    }
  } catch { /* unknown zone or no storage */ }
  return BROWSER_TZ;
}

let tz = initialTz();
export function timeZone(): string { return tz; }
export function setTimeZone(next: string): void {
  tz = next;
  try { localStorage.setItem(TZ_KEY, next); } catch { /* ignore */ }
}

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(kind: 'datetime' | 'time' | 'date' | 'short'): Intl.DateTimeFormat {
  const locale = currentLang() === 'zh' ? 'zh-CN' : 'en-GB';
  const key = `${kind}|${locale}|${tz}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = kind === 'time' ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
      : kind === 'date' ? { year: 'numeric', month: '2-digit', day: '2-digit' }
        : kind === 'short' ? { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: tz });
    cache.set(key, f);
  }
  return f;
}

export const fmtDateTime = (ms: number | null | undefined): string => (ms == null ? '—' : fmt('datetime').format(ms));
export const fmtTime = (ms: number | null | undefined): string => (ms == null ? '—' : fmt('time').format(ms));
export const fmtShort = (ms: number | null | undefined): string => (ms == null ? '—' : fmt('short').format(ms));
export const fmtDate = (ms: number | null | undefined): string => (ms == null ? '—' : fmt('date').format(ms));

/** Today's date (YYYY-MM-DD) in the user's zone, as the reports API wants it. */
export function isoDate(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  return parts;
}

/** 3h 05m, 12m 30s, 45s; negative values get a minus. */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  return `${sign}${s}s`;
}

export function fmtNumber(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(digits).replace(/\.?0+$/, '');
}

export const fmtPercent = (r: number | null | undefined): string => (r == null ? '—' : `${(r * 100).toFixed(1)} %`);
