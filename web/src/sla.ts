/** SLA clock status as of now, from a clock the API sent at `fetchedAtMs`. */
import type { Clock, TicketSummary } from './types';

export type SlaLevel = 'ok' | 'warn' | 'breached' | 'met' | 'paused' | 'missed';

export interface SlaView { which: 'response' | 'resolution'; remainingMs: number; level: SlaLevel }

export function clockRemaining(c: Clock, fetchedAtMs: number, nowMs: number): number {
  return c.state === 'running' ? c.remainingMs - (nowMs - fetchedAtMs) : c.remainingMs;
}

/** The clock that matters now: response until acknowledged, then resolution. */
export function slaView(tk: TicketSummary, fetchedAtMs: number, nowMs: number): SlaView {
  const c = tk.sla.response.state === 'running' ? tk.sla.response : tk.sla.resolution;
  const which = c === tk.sla.response ? 'response' : 'resolution';
  const remainingMs = clockRemaining(c, fetchedAtMs, nowMs);
  let level: SlaLevel;
  if (c.state === 'stopped') level = c.met === false || c.breached ? 'missed' : 'met';
  else if (c.breached || remainingMs <= 0) level = 'breached';
  else if (c.state === 'paused') level = 'paused';
  else if (c.warnAtMs !== null && nowMs >= c.warnAtMs) level = 'warn';
  else level = 'ok';
  return { which, remainingMs, level };
}
