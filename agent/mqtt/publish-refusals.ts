/**
 * Publishes an MQTT 5 broker refused (a PUBACK reason code ≥ 0x80, e.g. 135 not authorized):
 * counted by kind, and logged loudly once per topic and reason with the fix, then at debug level.
 */
import type { Logger } from '../../protocol/logger.js';
import type { OutboxKind } from '../outbox/index.js';
import type { DrainCounters } from './drain-types.js';

/** The reason code of a refused MQTT 5 publish, if that is what `err` is. */
export function reasonCode(err: Error): number | undefined {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'number' && code >= 0x80 ? code : undefined;
}

export class PublishRefusals {
  /** "topic reason" pairs already logged loudly. */
  private readonly logged = new Set<string>();

  constructor(private readonly counters: DrainCounters, private readonly log: Logger) {}

  /** Counts and logs a refusal; true when the message is kept as a dead letter (a fault event). */
  record(m: { kind: OutboxKind; topic: string; seq?: number | undefined }, code: number, err: Error): boolean {
    this.counters.rejected++;
    if (m.kind === 'telemetry') this.counters.rejectedTelemetry++;
    else if (m.kind === 'status') this.counters.rejectedStatus++;
    const kept = m.kind === 'event';
    const key = `${m.topic} ${code}`;
    const fields = { seq: m.seq, kind: m.kind, topic: m.topic, reasonCode: code, err: err.message, refusedSoFar: this.counters.rejected };
    if (!this.logged.has(key)) {
      this.logged.add(key);
      this.log.error({
        ...fields, hint: `let this device publish to ${m.topic} on the broker (its ACL or authorization plugin); refusals of this topic are logged at debug level from now on`,
      }, kept
        ? `broker refused a fault event (MQTT 5 reason ${code}): kept in the outbox as a dead letter, sent again after the next reconnect`
        : `broker refused a ${m.kind} publish (MQTT 5 reason ${code}): removed from the outbox`);
    } else {
      this.log.debug(fields, kept ? 'broker refused a fault event; kept as a dead letter' : `broker refused a ${m.kind} publish; removed`);
    }
    return kept;
  }
}
