/** Builds the wire FaultEvent for a transition. Pure: id, sequence and time come in. */
import type { FaultEvent, Sample } from '../../protocol/values.js';
import type { FaultTransition } from './detection.js';

export interface EventContext {
  id: string;
  seq: number;
  timeMs: number;
  device: string;
  site: string;
  adapterId: string;
  snapshot: Sample[];
  logExcerpt: string[];
}

export function buildFaultEvent(t: FaultTransition, ctx: EventContext): FaultEvent {
  const verb = t.transition === 'raise' ? '' : 'cleared: ';
  return {
    id: ctx.id, device: ctx.device, site: ctx.site, seq: ctx.seq, timeMs: ctx.timeMs,
    source: t.source, category: t.fault.category, code: t.fault.code, severity: t.fault.severity,
    transition: t.transition, message: `${verb}${t.fault.message}`, snapshot: ctx.snapshot, logExcerpt: ctx.logExcerpt,
    labels: t.labels, adapterId: ctx.adapterId, remedy: t.fault.remedy,
  };
}
