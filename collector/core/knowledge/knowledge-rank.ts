/**
 * Knowledge-base rules, pure: which entries fit a ticket (same fault code, model pattern matches
 * the device model), how they rank (how often they fixed that fault before, then reviewed before
 * unreviewed, then the more specific model pattern, then the most recently updated), and how a
 * ticket's resolution becomes a new entry or an update of an existing one (unreviewed either way).
 */

export interface KbEntry {
  id: number;
  /** A RegExp source on the device model; '' matches any model. */
  modelPattern: string;
  code: string;
  title: string;
  symptoms: string;
  diagnosis: string[];
  remedy: string;
  reviewed: boolean;
  reviewedBy: string | null;
  reviewedAtMs: number | null;
  /** 'adapter:{id}', 'ticket:{number}' or 'manual'. */
  source: string;
  /** Tickets this entry is credited with fixing. */
  fixes: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export type KbDraft = Pick<KbEntry, 'modelPattern' | 'code' | 'title' | 'symptoms' | 'diagnosis' | 'remedy' | 'source'>;

export interface KbTicketView {
  code: string;
  /** The device model ('' when unknown: then every model pattern fits). */
  model: string;
}

export interface RankedEntry {
  entry: KbEntry;
  rank: number;
  /** Why it is where it is, for the engineer. */
  reason: string;
}

export const MAX_PATTERN_LENGTH = 200;

/** Compiles a model pattern, or says why it cannot be used. */
export function checkModelPattern(pattern: string): { ok: true; regex: RegExp | null } | { ok: false; reason: string } {
  if (pattern === '') return { ok: true, regex: null };
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    return { ok: true, regex: new RegExp(pattern) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

export function modelMatches(pattern: string, model: string): boolean {
  if (pattern === '' || model === '') return true;
  const c = checkModelPattern(pattern);
  return c.ok && (c.regex === null || c.regex.test(model));
}

const REGEX_META = /[\\^$.*+?()[\]{}|]/g;

export function escapeRegExp(text: string): string {
  return text.replace(REGEX_META, '\\$&');
}

/** An anchored literal (`^VFD-4000$`) names one model: 2; another pattern names a family: 1; '' any model: 0. */
export function patternSpecificity(pattern: string): 0 | 1 | 2 {
  if (pattern === '') return 0;
  const m = /^\^(.*)\$$/.exec(pattern);
  if (!m) return 1;
  const body = (m[1] ?? '').replace(/\\[\\^$.*+?()[\]{}|-]/g, '');
  return /[\\^$.*+?()[\]{}|]/.test(body) ? 1 : 2;
}

export function matchingEntries(entries: readonly KbEntry[], ticket: KbTicketView): KbEntry[] {
  return entries.filter((e) => e.code === ticket.code && modelMatches(e.modelPattern, ticket.model));
}

function compare(a: KbEntry, b: KbEntry): number {
  return b.fixes - a.fixes
    || Number(b.reviewed) - Number(a.reviewed)
    || patternSpecificity(b.modelPattern) - patternSpecificity(a.modelPattern)
    || b.updatedAtMs - a.updatedAtMs
    || a.id - b.id;
}

function reasonFor(e: KbEntry, ticket: KbTicketView): string {
  const fixed = e.fixes === 0 ? `not yet credited with a fix of ${e.code}` : `fixed ${e.fixes} earlier ticket${e.fixes === 1 ? '' : 's'} of ${e.code}`;
  const reviewed = e.reviewed ? 'reviewed' : 'not yet reviewed';
  const scope = ticket.model === '' ? 'device model unknown'
    : ['fits every model', `fits the ${ticket.model} family`, `written for ${ticket.model}`][patternSpecificity(e.modelPattern)];
  return `${fixed}; ${reviewed}; ${scope}`;
}

/** The entries that fit the ticket, best first. */
export function rankEntries(entries: readonly KbEntry[], ticket: KbTicketView): RankedEntry[] {
  return matchingEntries(entries, ticket).sort(compare).map((entry, i) => ({ entry, rank: i + 1, reason: reasonFor(entry, ticket) }));
}

export interface ResolutionInput {
  ticketNumber: string;
  title: string;
  code: string;
  /** The device model ('' when unknown). */
  model: string;
  /** The adapter's model pattern when the device's adapter is known (the entry then covers the family). */
  familyPattern: string | null;
  cause: string;
  action: string;
  fix: 'workaround' | 'permanent';
}

/** The pattern a learned entry is filed under: the adapter family, else the exact model, else any model. */
export function learnedPattern(r: Pick<ResolutionInput, 'familyPattern' | 'model'>): string {
  if (r.familyPattern) return r.familyPattern;
  return r.model === '' ? '' : `^${escapeRegExp(r.model)}$`;
}

function remedyText(r: ResolutionInput): string {
  return r.fix === 'workaround' ? `${r.action} (workaround; a permanent fix is still open)` : r.action;
}

/** A new, unreviewed entry from a ticket's resolution. */
export function draftFromResolution(r: ResolutionInput): KbDraft {
  return {
    modelPattern: learnedPattern(r), code: r.code, title: r.title, symptoms: r.title,
    diagnosis: [`Cause found in ${r.ticketNumber}: ${r.cause}`], remedy: remedyText(r), source: `ticket:${r.ticketNumber}`,
  };
}

const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** An existing entry for the same code and pattern that already gives this action, if any (to update rather than duplicate). */
export function findSameRemedy(entries: readonly KbEntry[], r: ResolutionInput): KbEntry | undefined {
  const pattern = learnedPattern(r);
  const action = norm(r.action);
  return entries.find((e) => e.code === r.code && e.modelPattern === pattern && norm(e.remedy).includes(action));
}

/** The entry updated with a resolution: the cause joins the diagnosis, a new action joins the remedy; it needs review again. */
export function mergeResolution(e: KbEntry, r: ResolutionInput): KbDraft & { reviewed: false } {
  const cause = `Cause found in ${r.ticketNumber}: ${r.cause}`;
  const hasCause = e.diagnosis.some((d) => norm(d).endsWith(norm(r.cause)));
  const hasAction = norm(e.remedy).includes(norm(r.action));
  return {
    modelPattern: e.modelPattern, code: e.code, title: e.title, symptoms: e.symptoms, source: e.source,
    diagnosis: hasCause ? e.diagnosis : [...e.diagnosis, cause],
    remedy: hasAction ? e.remedy : `${e.remedy}\nAlso fixed by (${r.ticketNumber}): ${remedyText(r)}`,
    reviewed: false,
  };
}

/** Words of a free-text query as an FTS5 MATCH expression (every word, prefix match), or null when it has none. */
export function ftsQuery(q: string): string | null {
  const words = q.match(/[\p{L}\p{N}_]+/gu)?.slice(0, 16) ?? [];
  return words.length === 0 ? null : words.map((w) => `"${w}"*`).join(' ');
}
