import t from 'tap';
import { formatTicketNumber, isTicketNumber, ticketDay } from '../../collector/core/tickets/ticket-number.js';

t.test('the day is the UTC date of the opening event', async (t) => {
  const table: Array<[string, string]> = [
    ['2024-03-05T00:00:00.000Z', '20240305'],
    ['2024-03-05T23:59:59.999Z', '20240305'],
    ['2024-12-31T23:59:59.999Z', '20241231'],
    ['2025-01-01T00:00:00.000Z', '20250101'],
  ];
  for (const [iso, day] of table) t.equal(ticketDay(Date.parse(iso)), day, iso);
});

t.test('numbers are TS-YYYYMMDD-NNNN, zero padded to 4, longer past 9999', async (t) => {
  const table: Array<[number, string]> = [
    [1, 'TS-20240305-0001'],
    [42, 'TS-20240305-0042'],
    [9999, 'TS-20240305-9999'],
    [10000, 'TS-20240305-10000'],
  ];
  for (const [counter, number] of table) {
    t.equal(formatTicketNumber('20240305', counter), number);
    t.ok(isTicketNumber(number), `${number} is recognised`);
  }
});

t.test('a counter below 1 is a bug', async (t) => {
  for (const bad of [0, -1, 1.5, Number.NaN]) t.throws(() => formatTicketNumber('20240305', bad), RangeError, String(bad));
});

t.test('only well-formed numbers are recognised', async (t) => {
  for (const s of ['TS-2024030-0001', 'TS-20240305-001', 'ts-20240305-0001', '12', 'TS-20240305-0001x']) {
    t.notOk(isTicketNumber(s), s);
  }
});
