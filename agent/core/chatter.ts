/**
 * Chatter suppression (ISA-18.2 "chattering alarm"), pure. An input that raises `cycles` times
 * within `windowMs` stops reporting each flip: one raise of `<code>.chattering` is sent instead
 * (same category and severity: it stands in for raises that could be critical), later flips are
 * suppressed and counted, and once the input has been stable for `holdMs` the chattering fault
 * clears and the input's real state is reported, so every raise still has a matching clear.
 */
import type { FaultTransition } from './fault-transition.js';

export interface ChatterSpec {
  /** Raises within the window that make an input chattering (0 disables suppression). */
  cycles: number;
  windowMs: number;
  /** How long an input must not flip before chattering clears. */
  holdMs: number;
}

export const DEFAULT_CHATTER: ChatterSpec = { cycles: 3, windowMs: 60_000, holdMs: 60_000 };

interface ChatterEntry {
  /** Times of recent raises (inside windowMs), oldest first. */
  raises: readonly number[];
  chattering: boolean;
  /** What the receiver was last told about the input. */
  reportedActive: boolean;
  /** The input's latest real transition (replayed when chattering ends, if it differs from what was reported). */
  last: FaultTransition;
  lastChangeMs: number;
  /** Flips suppressed in the current chattering episode. */
  suppressed: number;
  /** The chattering raise, kept so its clear carries the same fault. */
  marker: FaultTransition | null;
}

export interface ChatterCounters {
  /** Chattering episodes begun. */
  episodes: number;
  /** Raise/clear transitions held back. */
  suppressed: number;
  /** Inputs chattering right now. */
  active: number;
}

export interface ChatterState {
  entries: Readonly<Record<string, ChatterEntry>>;
  counters: ChatterCounters;
}

export function initialChatterState(): ChatterState {
  return { entries: {}, counters: { episodes: 0, suppressed: 0, active: 0 } };
}

export interface ChatterResult {
  state: ChatterState;
  transitions: FaultTransition[];
}

export const CHATTERING_SUFFIX = '.chattering';

function chatteringTransition(t: FaultTransition, spec: ChatterSpec, count: number): FaultTransition {
  const f = t.fault;
  return {
    ...t, transition: 'raise',
    fault: {
      code: `${f.code}${CHATTERING_SUFFIX}`, category: f.category, severity: f.severity,
      message: `${f.message}: chattering (${count} raises within ${Math.round(spec.windowMs / 1000)} s), changes suppressed until it is stable for ${Math.round(spec.holdMs / 1000)} s`,
      remedy: `Find why it keeps flipping: a value hovering at a limit (widen the deadband or delays), a loose contact, or an intermittent fault. ${f.remedy}`,
    },
    labels: { ...t.labels, chattering_of: f.code, raises: String(count) },
  };
}

/** Passes transitions through, holding back those of inputs that chatter. */
export function filterChatter(prev: ChatterState, transitions: readonly FaultTransition[], nowMs: number, spec: ChatterSpec = DEFAULT_CHATTER): ChatterResult {
  if (spec.cycles <= 0 || transitions.length === 0) return { state: prev, transitions: [...transitions] };
  const entries = { ...prev.entries };
  const counters = { ...prev.counters };
  const out: FaultTransition[] = [];
  for (const t of transitions) {
    const key = t.fault.code;
    const e = entries[key];
    if (e?.chattering) {
      entries[key] = { ...e, last: t, lastChangeMs: nowMs, suppressed: e.suppressed + 1 };
      counters.suppressed++;
      continue;
    }
    const raises = t.transition === 'raise'
      ? [...(e?.raises ?? []).filter((x) => x > nowMs - spec.windowMs), nowMs]
      : (e?.raises ?? []);
    if (t.transition === 'raise' && raises.length >= spec.cycles && !(e?.reportedActive ?? false)) {
      const marker = chatteringTransition(t, spec, raises.length);
      entries[key] = { raises: [], chattering: true, reportedActive: false, last: t, lastChangeMs: nowMs, suppressed: 1, marker };
      counters.episodes++;
      counters.suppressed++;
      counters.active++;
      out.push(marker);
      continue;
    }
    entries[key] = { raises, chattering: false, reportedActive: t.transition === 'raise', last: t, lastChangeMs: nowMs, suppressed: 0, marker: null };
    out.push(t);
  }
  return { state: { entries: prune(entries, nowMs, spec), counters }, transitions: out };
}

/** Ends chattering for inputs stable for holdMs: clears the chattering fault and reports the real state. Call every poll. */
export function releaseChatter(prev: ChatterState, nowMs: number, spec: ChatterSpec = DEFAULT_CHATTER): ChatterResult {
  if (spec.cycles <= 0) return { state: prev, transitions: [] };
  const due = Object.entries(prev.entries).filter(([, e]) => e.chattering && nowMs - e.lastChangeMs >= spec.holdMs);
  if (due.length === 0) {
    const entries = prune(prev.entries, nowMs, spec);
    return { state: entries === prev.entries ? prev : { ...prev, entries }, transitions: [] };
  }
  const entries = { ...prev.entries };
  const counters = { ...prev.counters };
  const out: FaultTransition[] = [];
  for (const [key, e] of due) {
    if (e.marker) {
      out.push({ ...e.marker, transition: 'clear', labels: { ...e.marker.labels, suppressed: String(e.suppressed) } });
    }
    const realActive = e.last.transition === 'raise';
    if (realActive !== e.reportedActive) out.push(e.last);
    entries[key] = { raises: realActive ? [nowMs] : [], chattering: false, reportedActive: realActive, last: e.last, lastChangeMs: nowMs, suppressed: 0, marker: null };
    counters.active--;
  }
  return { state: { entries: prune(entries, nowMs, spec), counters }, transitions: out };
}

/** Forgets inputs that are cleared, calm and have no raise left in the window, so the state stays bounded. Returns `entries` itself when nothing goes. */
function prune(entries: Readonly<Record<string, ChatterEntry>>, nowMs: number, spec: ChatterSpec): Readonly<Record<string, ChatterEntry>> {
  const calm = (e: ChatterEntry): boolean => !e.chattering && !e.reportedActive && e.raises.every((x) => x <= nowMs - spec.windowMs);
  if (!Object.values(entries).some(calm)) return entries;
  return Object.fromEntries(Object.entries(entries).filter(([, e]) => !calm(e)));
}

export function chatterCounters(state: ChatterState): ChatterCounters {
  return { ...state.counters };
}

/** Codes chattering right now. */
export function chatteringCodes(state: ChatterState): string[] {
  return Object.entries(state.entries).filter(([, e]) => e.chattering).map(([k]) => k);
}
