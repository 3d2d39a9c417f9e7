import t from 'tap';
import {
  assessPriority, DEFAULT_PRIORITY_MATRIX, overridePriority, type Criticality, type PriorityMatrixConfig,
} from '../../collector/core/priority/priority-matrix.js';
import { priorityFor } from '../../collector/core/priority/priority.js';
import { DEFAULT_CALENDARS } from '../../collector/core/desk/desk-context.js';
import { ticketClockStatus } from '../../collector/core/sla/ticket-clocks.js';
import { overrideTicketPriority } from '../../collector/core/priority/ticket-priority.js';
import { SEVERITIES, type Severity } from '../../protocol/values.js';
import { alice, ctxAt, deviceDeskTicket, H, MIN, T0 } from './collector-core-fixtures.js';

const config: PriorityMatrixConfig = {
  ...DEFAULT_PRIORITY_MATRIX,
  criticality: { default: 'B', sites: { 'plant-a': 'A', 'lab': 'C' }, devices: { 'plant-a/spare-pump': 'C', 'lab/furnace': 'A' } },
};

const input = (severity: Severity, site: string, device: string, over: { devicesAffected?: number; productionStopped?: boolean } = {}) => ({
  severity, site, device, devicesAffected: over.devicesAffected ?? 1, productionStopped: over.productionStopped ?? false,
});

t.test('severity × criticality × scope, each explained', async (t) => {
  const table: Array<{ in: ReturnType<typeof input>; priority: string; reason: string; criticality: Criticality; source: string }> = [
    { in: input('critical', 'plant-a', 'drive-1'), priority: 'P1', reason: 'P1: critical severity on a criticality-A asset', criticality: 'A', source: 'site' },
    { in: input('major', 'plant-a', 'drive-1'), priority: 'P1', reason: 'P1: major severity on a criticality-A asset', criticality: 'A', source: 'site' },
    { in: input('major', 'plant-a', 'spare-pump'), priority: 'P3', reason: 'P3: major severity on a criticality-C asset', criticality: 'C', source: 'device' },
    { in: input('minor', 'lab', 'furnace'), priority: 'P2', reason: 'P2: minor severity on a criticality-A asset', criticality: 'A', source: 'device' },
    { in: input('critical', 'lab', 'oven'), priority: 'P2', reason: 'P2: critical severity on a criticality-C asset', criticality: 'C', source: 'site' },
    { in: input('minor', 'elsewhere', 'x'), priority: 'P3', reason: 'P3: minor severity on a criticality-B asset', criticality: 'B', source: 'default' },
    { in: input('warning', 'elsewhere', 'x', { productionStopped: true }), priority: 'P1', reason: 'P1: warning severity on a criticality-B asset, raised from P4: production stopped', criticality: 'B', source: 'default' },
    { in: input('critical', 'elsewhere', 'x', { productionStopped: true }), priority: 'P1', reason: 'P1: critical severity on a criticality-B asset; production stopped', criticality: 'B', source: 'default' },
    { in: input('minor', 'elsewhere', '', { devicesAffected: 4 }), priority: 'P2', reason: 'P2: minor severity on a criticality-B asset, raised from P3: 4 devices affected', criticality: 'B', source: 'default' },
    { in: input('minor', 'elsewhere', 'x', { devicesAffected: 2 }), priority: 'P3', reason: 'P3: minor severity on a criticality-B asset', criticality: 'B', source: 'default' },
    { in: input('critical', 'plant-a', '', { devicesAffected: 5 }), priority: 'P1', reason: 'P1: critical severity on a criticality-A asset; 5 devices affected', criticality: 'A', source: 'site' },
  ];
  for (const row of table) {
    t.match(assessPriority(row.in, config), { priority: row.priority, reason: row.reason, criticality: row.criticality, criticalitySource: row.source, override: null }, row.reason);
  }
});

t.test('criticality B gives the same priority as severity alone', async (t) => {
  for (const severity of SEVERITIES) {
    t.equal(assessPriority(input(severity, 'x', 'y')).priority, priorityFor(severity).priority, severity);
  }
});

t.test('a manual override is recorded with who and why, and keeps the computed priority', async (t) => {
  const computed = assessPriority(input('critical', 'plant-a', 'drive-1'), config);
  const { assessment, audit } = overridePriority(computed, { priority: 'P3', by: alice, why: 'line is down for planned work anyway', atMs: 1000 }, 'TS-20240305-0001');
  t.match(assessment, {
    priority: 'P3', reason: 'P3: set by alice (computed P1): line is down for planned work anyway',
    override: { by: alice, atMs: 1000, why: 'line is down for planned work anyway', computed: 'P1' },
  });
  t.match(audit, { atMs: 1000, actor: alice, subject: { kind: 'ticket', id: 'TS-20240305-0001' }, action: 'priority-override', from: 'P1', to: 'P3' });
  const again = overridePriority(assessment, { priority: 'P2', by: alice, why: 'customer called', atMs: 2000 }, 'TS-20240305-0001');
  t.equal(again.assessment.override?.computed, 'P1', 'a second override still remembers what the matrix computed');
  t.throws(() => overridePriority(computed, { priority: 'P4', by: alice, why: '  ', atMs: 1 }, 'TS-1'), { code: 'FL_ERR_PRIORITY_OVERRIDE_INVALID' });
});

t.test('overriding a ticket priority retargets its SLA clocks and is audited', async (t) => {
  const ticket = deviceDeskTicket(); // P1 at T0: respond within 15 min
  const out = overrideTicketPriority(ticket, { priority: 'P3', why: 'spare drive running, no production impact' }, ctxAt(T0 + 5 * MIN));
  t.match(out.ticket, {
    priority: 'P3', priorityReason: 'P3: set by alice (computed P1): spare drive running, no production impact',
    priorityOverride: { by: alice, atMs: T0 + 5 * MIN, computed: 'P1' },
  });
  t.equal(ticketClockStatus(out.ticket, DEFAULT_CALENDARS, T0 + 5 * MIN).response.dueMs, T0 + 4 * H, 'P3 responds within 4 h of the opening');
  t.match(out.audit, [{ action: 'priority-override', from: 'P1', to: 'P3', actor: alice }]);
  const late = overrideTicketPriority(ticket, { priority: 'P3', why: 'x' }, ctxAt(T0 + 20 * MIN));
  t.same(late.audit.map((a) => a.action), ['sla-warning', 'sla-breach', 'priority-override'], 'a breach before the change stays reported');
  t.throws(() => overrideTicketPriority(ticket, { priority: 'P2', why: '' }, ctxAt(T0)), { code: 'FL_ERR_PRIORITY_OVERRIDE_INVALID' });
});
