import t from 'tap';
import { attachToParent, correlateRaise, siteParentTicket, type CandidateTicket, type CorrelationDecision, type RaisedFault } from '../../collector/core/tickets/correlation.js';
import { assessPriority } from '../../collector/core/priority/priority-matrix.js';
import { ctxAt, deviceDeskTicket, H, MIN, T0 } from './collector-core-fixtures.js';

function cand(id: number, over: Partial<CandidateTicket> = {}): CandidateTicket {
  return {
    id, site: 'plant-a', device: 'drive-1', code: 'vfd.overcurrent', category: 'hardware', status: 'new', openedAtMs: T0,
    resolvedAtMs: null, parentId: null, siteParent: false, ...over,
  };
}
const link = (id: number, device: string, openedAtMs: number, over: Partial<CandidateTicket> = {}) =>
  cand(id, { device, code: 'agent.modbus_comm_loss', category: 'link', openedAtMs, ...over });

const raise = (over: Partial<RaisedFault> = {}): RaisedFault => ({ site: 'plant-a', device: 'drive-1', code: 'vfd.overcurrent', category: 'hardware', atMs: T0 + 10 * MIN, ...over });
const linkLoss = (device: string, atMs: number): RaisedFault => raise({ device, code: 'agent.modbus_comm_loss', category: 'link', atMs });

t.test('where a raised fault goes', async (t) => {
  const table: Array<{ name: string; fault: RaisedFault; candidates: CandidateTicket[]; want: Partial<CorrelationDecision> & { type: CorrelationDecision['type'] } }> = [
    { name: 'nothing open: a new ticket', fault: raise(), candidates: [], want: { type: 'open', parentId: null } },
    { name: 'same device and code open: an occurrence', fault: raise(), candidates: [cand(7, { status: 'in-progress' })], want: { type: 'occurrence', ticketId: 7 } },
    { name: 'same code on another device: a new ticket', fault: raise({ device: 'drive-2' }), candidates: [cand(7)], want: { type: 'open' } },
    { name: 'resolved (awaiting verification): reopened', fault: raise(), candidates: [cand(7, { status: 'resolved', resolvedAtMs: T0 })], want: { type: 'reopen', ticketId: 7, reason: 'plant-a/drive-1/vfd.overcurrent recurred 10 min after ticket #7 was resolved' } },
    { name: 'closed within the reopen window: reopened', fault: raise({ atMs: T0 + 6 * 24 * H }), candidates: [cand(7, { status: 'closed', resolvedAtMs: T0 })], want: { type: 'reopen', ticketId: 7 } },
    { name: 'closed beyond the window: a new ticket', fault: raise({ atMs: T0 + 8 * 24 * H }), candidates: [cand(7, { status: 'closed', resolvedAtMs: T0 })], want: { type: 'open' } },
    { name: 'the latest resolved one is reopened', fault: raise({ atMs: T0 + 2 * H }), candidates: [cand(5, { status: 'closed', resolvedAtMs: T0 }), cand(7, { status: 'closed', resolvedAtMs: T0 + H })], want: { type: 'reopen', ticketId: 7 } },
    {
      name: 'the 3rd device losing link at a site within 2 min: a site parent with the others as children',
      fault: linkLoss('drive-3', T0 + 90_000), candidates: [link(11, 'drive-1', T0), link(12, 'drive-2', T0 + 30_000)],
      want: { type: 'open-with-site-parent', adoptChildIds: [11, 12], devices: ['drive-1', 'drive-2', 'drive-3'], reason: '3 devices at plant-a lost link within 2 min: drive-1, drive-2, drive-3' },
    },
    { name: 'only 2 devices: a plain ticket', fault: linkLoss('drive-2', T0 + 30_000), candidates: [link(11, 'drive-1', T0)], want: { type: 'open', parentId: null, reason: '2 device(s) at plant-a lost link within 2 min, below 3' } },
    { name: 'the others lost link more than 2 min ago', fault: linkLoss('drive-3', T0 + 150_000), candidates: [link(11, 'drive-1', T0), link(12, 'drive-2', T0 + 20_000)], want: { type: 'open', parentId: null } },
    { name: 'another site does not count', fault: linkLoss('drive-3', T0 + 60_000), candidates: [link(11, 'drive-1', T0), link(12, 'drive-2', T0, { site: 'plant-b' })], want: { type: 'open', parentId: null } },
    { name: 'link losses already resolved do not count', fault: linkLoss('drive-3', T0 + 60_000), candidates: [link(11, 'drive-1', T0), link(12, 'drive-2', T0, { status: 'resolved', resolvedAtMs: T0 })], want: { type: 'open', parentId: null } },
    { name: 'hardware faults never make a site parent', fault: raise({ device: 'drive-3' }), candidates: [cand(11, { device: 'drive-1' }), cand(12, { device: 'drive-2' })], want: { type: 'open', parentId: null } },
    {
      name: 'a site parent is open: the next link loss joins it as a child',
      fault: linkLoss('drive-4', T0 + 10 * MIN), candidates: [cand(20, { siteParent: true, device: '', category: 'link', openedAtMs: T0 + 90_000 }), link(11, 'drive-1', T0, { parentId: 20 })],
      want: { type: 'open', parentId: 20 },
    },
    {
      name: 'a site parent opened more than 30 min ago is not joined',
      fault: linkLoss('drive-4', T0 + H), candidates: [cand(20, { siteParent: true, device: '', category: 'link', openedAtMs: T0 })], want: { type: 'open', parentId: null },
    },
  ];
  for (const row of table) t.match(correlateRaise(row.fault, row.candidates), row.want, row.name);
});

t.test('the site parent ticket and its children', async (t) => {
  const priority = assessPriority({ severity: 'major', site: 'plant-a', device: '', devicesAffected: 3, productionStopped: false });
  const parent = siteParentTicket({ site: 'plant-a', devices: ['drive-1', 'drive-2', 'drive-3'], category: 'link', severity: 'major', reason: '3 devices lost link' }, T0, { priority });
  t.match(parent, {
    title: 'Site plant-a: 3 devices lost link', siteParent: true, device: '', code: 'site.link', category: 'link', origin: 'device',
    priority: 'P1', priorityReason: 'P1: major severity on a criticality-B asset, raised from P2: 3 devices affected', status: 'new', faultActive: false,
  });
  const child = attachToParent(deviceDeskTicket({ category: 'link', code: 'agent.modbus_comm_loss' }), 20, ctxAt(T0), '3 devices lost link');
  t.equal(child.ticket.parentId, 20);
  t.match(child.audit, [{ action: 'attach-to-parent', from: null, to: '#20', reason: '3 devices lost link' }]);
});
