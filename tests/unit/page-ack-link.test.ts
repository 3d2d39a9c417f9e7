/** Acknowledge links (issue #16): genuine links verify until they expire; tampered, malformed or expired ones are refused with their code. */
import t from 'tap';
import { signAckLink, verifyAckLink } from '../../collector/desk/ack-link.js';
import { FaultlineError } from '../../protocol/errors.js';

const KEY = 'k'.repeat(32);
const T0 = Date.parse('2024-03-05T10:00:00Z');
const claims = { ticketId: 12, member: 'lena', expiresMs: T0 + 60_000 };

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof FaultlineError ? err.code : `untyped: ${String(err)}`;
  }
  return 'accepted';
};

t.test('a genuine link verifies until it expires', async (t) => {
  const link = signAckLink(claims, KEY);
  t.match(link, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'URL-safe');
  t.same(verifyAckLink(link, KEY, T0), claims);
  t.equal(codeOf(() => verifyAckLink(link, KEY, T0 + 60_000)), 'FL_ERR_PAGE_LINK_EXPIRED', 'at expiry');
});

t.test('tampered, foreign and malformed links are refused', async (t) => {
  const link = signAckLink(claims, KEY);
  const [body = '', sig = ''] = link.split('.');
  const forged = Buffer.from(JSON.stringify({ t: 13, m: 'lena', e: T0 + 60_000 })).toString('base64url');
  const flipped = `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
  const cases: Array<[string, string]> = [
    ['another ticket, same signature', `${forged}.${sig}`],
    ['a changed signature', `${body}.${flipped}`],
    ['signed with another key', signAckLink(claims, 'x'.repeat(32))],
    ['no signature', body],
    ['empty', ''],
    ['three parts', `${link}.x`],
    ['not base64url', `${body}.!!!`],
  ];
  for (const [what, token] of cases) t.equal(codeOf(() => verifyAckLink(token, KEY, T0)), 'FL_ERR_PAGE_LINK_INVALID', what);
  const junk = Buffer.from('not json').toString('base64url');
  t.equal(codeOf(() => verifyAckLink(`${junk}.${signAckLink(claims, KEY).split('.')[1] ?? ''}`, KEY, T0)), 'FL_ERR_PAGE_LINK_INVALID', 'unsigned junk');
});
