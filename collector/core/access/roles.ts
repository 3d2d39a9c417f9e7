/**
 * Who may do what: four roles in one strict order, each allowed everything the one below may do.
 *   viewer   reads everything (alarms, tickets, devices, knowledge, reports, live stream)
 *   operator + works the alarm console (ack, shelve, unshelve) and comments on tickets
 *   engineer + works tickets, suppresses alarms / takes them out of service, edits knowledge,
 *              talks to devices (live reads, writes, logs), reads the audit trail
 *   admin    + users and API tokens, config reload, device provisioning
 * Pure: no I/O.
 */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, engineer: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** True when `role` is `minimum` or above it. */
export function roleAllows(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}
