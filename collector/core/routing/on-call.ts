/**
 * Teams and on-call rotations. A team has members (tier, skills, time zone) and rotations; a
 * rotation covers one tier, hands over daily or weekly at a wall-clock time in its own time zone
 * (so a 09:00 handover stays 09:00 across DST), starting on `startDate` (for weekly, that date's
 * weekday is the handover day), and cycles through its participants. Overrides (holiday cover,
 * swaps) win over the schedule for their interval.
 */
import { DESK_ERROR_CODES, deskError } from '../desk/desk-errors.js';
import type { Tier } from '../tickets/desk-ticket.js';
import { addDays, assertTimeZone, civilDateAt, daysBetween, instantAt, parseCivilDate, parseClockTime, type CivilDate } from '../sla/time-zone.js';

export interface TeamMember {
  id: string;
  name: string;
  tier: Tier;
  skills: string[];
  timeZone: string;
}

export interface RotationOverride {
  fromMs: number;
  toMs: number;
  memberId: string;
  reason: string;
}

export interface Rotation {
  id: string;
  tier: Tier;
  timeZone: string;
  kind: 'daily' | 'weekly';
  /** Local handover time, "HH:MM". */
  handover: string;
  /** Local date of the first handover, "YYYY-MM-DD". */
  startDate: string;
  /** Member ids in rotation order. */
  participants: string[];
  overrides: RotationOverride[];
}

export interface Team {
  id: string;
  name: string;
  members: TeamMember[];
  rotations: Rotation[];
}

export interface OnCallShift {
  rotationId: string;
  memberId: string;
  fromMs: number;
  toMs: number;
  via: 'rotation' | 'override';
  reason: string;
}

function handoverOn(r: Rotation, date: CivilDate): number {
  return instantAt(r.timeZone, date, parseClockTime(r.handover));
}

/** Who is on call in the rotation at atMs; null before the rotation starts or with no participants. */
export function onCallAt(r: Rotation, atMs: number): OnCallShift | null {
  const cover = r.overrides.find((o) => o.fromMs <= atMs && atMs < o.toMs);
  if (cover) return { rotationId: r.id, memberId: cover.memberId, fromMs: cover.fromMs, toMs: cover.toMs, via: 'override', reason: cover.reason };
  if (r.participants.length === 0) return null;
  const start = parseCivilDate(r.startDate);
  const today = civilDateAt(r.timeZone, atMs);
  const last = atMs < handoverOn(r, today) ? addDays(today, -1) : today;
  const days = daysBetween(start, last);
  if (days < 0) return null;
  const period = r.kind === 'daily' ? 1 : 7;
  const index = Math.floor(days / period);
  const shiftStart = addDays(start, index * period);
  const memberId = r.participants[index % r.participants.length] ?? '';
  return {
    rotationId: r.id, memberId, fromMs: handoverOn(r, shiftStart), toMs: handoverOn(r, addDays(shiftStart, period)), via: 'rotation',
    reason: `${r.kind} rotation ${r.id}, shift ${index + 1} (handover ${r.handover} ${r.timeZone})`,
  };
}

/** Everyone on call for `tier` in the team at atMs, one entry per member (first rotation wins). */
export function onCallFor(team: Team, tier: Tier, atMs: number): OnCallShift[] {
  const shifts: OnCallShift[] = [];
  for (const r of team.rotations.filter((x) => x.tier === tier)) {
    const s = onCallAt(r, atMs);
    if (s && !shifts.some((x) => x.memberId === s.memberId)) shifts.push(s);
  }
  return shifts;
}

/** The next instant anyone's on-call changes in the team (shift ends, override starts or ends). */
export function nextHandoverMs(team: Team, atMs: number): number | null {
  const times: number[] = [];
  for (const r of team.rotations) {
    const s = onCallAt(r, atMs);
    if (s) times.push(s.toMs);
    for (const o of r.overrides) times.push(...[o.fromMs, o.toMs].filter((t) => t > atMs));
  }
  return times.length > 0 ? Math.min(...times) : null;
}

/** Checks members, rotations and overrides, reporting every problem at once. */
export function validateTeam(team: Team): Team {
  const problems: string[] = [];
  const members = new Map(team.members.map((m) => [m.id, m]));
  const tryIt = (what: string, fn: () => void): void => {
    try { fn(); } catch (err) { problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`); }
  };
  for (const m of team.members) tryIt(`member ${m.id}`, () => assertTimeZone(m.timeZone));
  for (const r of team.rotations) {
    tryIt(`rotation ${r.id}`, () => { assertTimeZone(r.timeZone); parseClockTime(r.handover); parseCivilDate(r.startDate); });
    for (const p of [...r.participants, ...r.overrides.map((o) => o.memberId)]) {
      const m = members.get(p);
      if (!m) problems.push(`rotation ${r.id}: unknown member ${p}`);
      else if (m.tier !== r.tier) problems.push(`rotation ${r.id} is ${r.tier} but ${p} is ${m.tier}`);
    }
    for (const o of r.overrides) if (o.toMs <= o.fromMs) problems.push(`rotation ${r.id}: override for ${o.memberId} ends before it starts`);
  }
  if (problems.length > 0) {
    throw deskError(DESK_ERROR_CODES.rotationInvalid, `team ${team.id} is invalid: ${problems.join('; ')}`, { team: team.id, problems },
      'fix the listed members and rotations');
  }
  return team;
}
