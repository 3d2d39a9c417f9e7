/**
 * Ticket numbers: TS-YYYYMMDD-NNNN. The date is the UTC day of the opening event; NNNN is that
 * day's counter from 0001, zero padded to four digits and simply longer past 9999.
 */

/** UTC day of an epoch-ms time as YYYYMMDD. */
export function ticketDay(timeMs: number): string {
  const d = new Date(timeMs);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}${m}${day}`;
}

export function formatTicketNumber(day: string, counter: number): string {
  if (!Number.isInteger(counter) || counter < 1) throw new RangeError(`ticket counter must be a positive integer, got ${counter}`);
  return `TS-${day}-${String(counter).padStart(4, '0')}`;
}

export const TICKET_NUMBER_PATTERN = /^TS-\d{8}-\d{4,}$/;

export function isTicketNumber(s: string): boolean {
  return TICKET_NUMBER_PATTERN.test(s);
}
