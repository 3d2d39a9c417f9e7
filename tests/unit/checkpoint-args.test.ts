/** The collector's audit checkpoint flags: a syslog target as [udp://|tcp://]HOST:PORT, the interval in seconds; bad ones are usage errors. */
import t from 'tap';
import { auditCheckpointFromArgs, syslogTarget } from '../../collector/audit/checkpoint-args.js';
import { UsageError } from '../../protocol/errors.js';

const good: Array<[string, unknown]> = [
  ['logs.plant.example:514', { transport: 'udp', host: 'logs.plant.example', port: 514 }],
  ['udp://10.0.0.5:1514', { transport: 'udp', host: '10.0.0.5', port: 1514 }],
  ['tcp://127.0.0.1:601', { transport: 'tcp', host: '127.0.0.1', port: 601 }],
  ['tcp://[::1]:6514', { transport: 'tcp', host: '::1', port: 6514 }],
];
for (const [text, expected] of good) t.same(syslogTarget(text), expected, text);

for (const bad of ['logs.plant.example', 'tcp://host:0', 'tcp://host:70000', 'tls://host:514', 'host:514/x', '']) {
  t.throws(() => syslogTarget(bad), UsageError, `refused: "${bad}"`);
}

t.same(auditCheckpointFromArgs({}), { everyMs: 5000 }, 'default: at most 5 s after the head moved');
t.same(auditCheckpointFromArgs({ 'audit-checkpoint-every': '2', 'audit-syslog': 'tcp://127.0.0.1:601' }), { everyMs: 2000, syslog: { transport: 'tcp', host: '127.0.0.1', port: 601 } });
for (const bad of ['0', '3601', '1.5', 'soon']) t.throws(() => auditCheckpointFromArgs({ 'audit-checkpoint-every': bad }), UsageError, `--audit-checkpoint-every ${bad}`);
