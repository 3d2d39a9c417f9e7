/**
 * The on-call board (pure): who is on call now and next, per team and tier, from the rotations
 * (with their overrides, those of the config and those set through the API), and the merge of
 * stored overrides into the teams.
 */
import { TIERS, type Tier } from '../tickets/desk-ticket.js';
import { onCallAt, type OnCallShift, type Rotation, type Team } from './on-call.js';
import { instantAt, parseCivilDate, parseClockTime } from '../sla/time-zone.js';

export interface BoardRow {
  team: string;
  teamName: string;
  tier: Tier;
  rotation: string;
  now: OnCallShift | null;
  next: OnCallShift | null;
}

/** An override to add to one rotation of one team. */
export interface TeamOverride {
  team: string;
  rotation: string;
  memberId: string;
  fromMs: number;
  toMs: number;
  reason: string;
}

/** Who takes over at the next change after atMs (a handover, an override starting or ending), from that instant. */
function nextShift(r: Rotation, now: OnCallShift | null, atMs: number): OnCallShift | null {
  const changes = r.overrides.flatMap((o) => [o.fromMs, o.toMs]);
  changes.push(now ? now.toMs : instantAt(r.timeZone, parseCivilDate(r.startDate), parseClockTime(r.handover)));
  const later = changes.filter((t) => t > atMs);
  if (later.length === 0) return null;
  const t = Math.min(...later);
  const s = onCallAt(r, t);
  return s ? { ...s, fromMs: Math.max(s.fromMs, t) } : null;
}

export function onCallBoard(teams: Readonly<Record<string, Team>>, atMs: number): BoardRow[] {
  const rows: BoardRow[] = [];
  for (const team of Object.values(teams)) {
    const rotations = [...team.rotations].sort((a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier));
    for (const r of rotations) {
      const now = onCallAt(r, atMs);
      rows.push({ team: team.id, teamName: team.name || team.id, tier: r.tier, rotation: r.id, now, next: nextShift(r, now, atMs) });
    }
  }
  return rows;
}

/** The teams with stored overrides added to their rotations (an override for an unknown team or rotation is left out). */
export function withOverrides(teams: Readonly<Record<string, Team>>, overrides: readonly TeamOverride[]): Record<string, Team> {
  const out: Record<string, Team> = {};
  for (const [id, team] of Object.entries(teams)) {
    const mine = overrides.filter((o) => o.team === id);
    out[id] = mine.length === 0 ? team : {
      ...team,
      rotations: team.rotations.map((r) => {
        const add = mine.filter((o) => o.rotation === r.id).map((o) => ({ fromMs: o.fromMs, toMs: o.toMs, memberId: o.memberId, reason: o.reason }));
        // Set through the API after the config was written: they win (onCallAt takes the first that covers).
        return add.length === 0 ? r : { ...r, overrides: [...add.reverse(), ...r.overrides] };
      }),
    };
  }
  return out;
}
