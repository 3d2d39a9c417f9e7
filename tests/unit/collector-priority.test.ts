import t from 'tap';
import { priorityFor } from '../../collector/core/priority/priority.js';
import type { Severity } from '../../protocol/values.js';

t.test('priority follows severity, with a reason a person can read', async (t) => {
  const table: Array<[Severity, string, string]> = [
    ['critical', 'P1', 'P1: critical severity'],
    ['major', 'P2', 'P2: major severity'],
    ['minor', 'P3', 'P3: minor severity'],
    ['warning', 'P4', 'P4: warning severity'],
    ['info', 'P4', 'P4: info severity'],
  ];
  for (const [severity, priority, reason] of table) {
    t.same(priorityFor(severity), { priority, reason }, severity);
  }
});
