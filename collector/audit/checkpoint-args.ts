/** The collector's audit checkpoint flags: how often the head is anchored, and a syslog server that gets a copy of each checkpoint. */
import { UsageError } from '../../protocol/errors.js';
import { DEFAULT_CHECKPOINT_EVERY_MS } from './checkpointer.js';
import { SYSLOG_TRANSPORTS, type SyslogTarget, type SyslogTransport } from './syslog-sender.js';

export const AUDIT_CHECKPOINT_OPTIONS = {
  'audit-checkpoint-every': { type: 'string' }, 'audit-syslog': { type: 'string' },
} as const;

export const AUDIT_CHECKPOINT_USAGE = `  --audit-checkpoint-every S  anchor the audit trail's head at most S seconds after it moved
                     (default ${DEFAULT_CHECKPOINT_EVERY_MS / 1000}): a signed checkpoint appended to audit-checkpoints.jsonl
  --audit-syslog [udp://|tcp://]HOST:PORT  also send each checkpoint to this syslog server
                     (RFC 5424; UDP unless tcp://; IPv6 as [addr]:port)
`;

type Values = { [K in keyof typeof AUDIT_CHECKPOINT_OPTIONS]?: string | undefined };

export function syslogTarget(text: string): SyslogTarget {
  const m = /^(?:(udp|tcp):\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new UsageError(`--audit-syslog must be [udp://|tcp://]HOST:PORT (e.g. tcp://logs.plant.example:514), got "${text}"`);
  }
  const transport = (m[1] ?? 'udp') as SyslogTransport;
  if (!(SYSLOG_TRANSPORTS as readonly string[]).includes(transport)) throw new UsageError(`--audit-syslog: unknown transport ${transport}`);
  return { transport, host: (m[2] ?? '').replace(/^\[|\]$/g, ''), port };
}

export function auditCheckpointFromArgs(v: Values): { everyMs: number; syslog?: SyslogTarget } {
  const every = v['audit-checkpoint-every'];
  let everyMs = DEFAULT_CHECKPOINT_EVERY_MS;
  if (every !== undefined) {
    const s = Number(every);
    if (!/^\d+$/.test(every) || s < 1 || s > 3600) throw new UsageError(`--audit-checkpoint-every must be whole seconds from 1 to 3600, got "${every}"`);
    everyMs = s * 1000;
  }
  const syslog = v['audit-syslog'];
  return { everyMs, ...(syslog === undefined ? {} : { syslog: syslogTarget(syslog) }) };
}
