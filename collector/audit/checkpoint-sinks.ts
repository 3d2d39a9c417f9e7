/** Where the collector's audit checkpoints go besides the file: the webhook outbox (through the desk) and, when given, a syslog server. */
import { hostname } from 'node:os';
import type { DeskService } from '../desk/desk-service.js';
import type { CheckpointSink } from './checkpointer.js';
import { checkpointSyslogMessage } from './syslog-format.js';
import { SyslogSender, type SyslogTarget } from './syslog-sender.js';

export function checkpointSinks(desk: Pick<DeskService, 'queueAuditCheckpoint'>, syslog: SyslogTarget | undefined, now: () => number): CheckpointSink[] {
  const sinks: CheckpointSink[] = [{ name: 'webhooks', send: (cp) => desk.queueAuditCheckpoint(cp) }];
  if (syslog) {
    const sender = new SyslogSender(syslog);
    const host = hostname();
    sinks.push({
      name: 'syslog', send: (cp) => sender.send(checkpointSyslogMessage(cp, { hostname: host, procId: process.pid, atMs: now() })), stop: () => sender.stop(),
    });
  }
  return sinks;
}
