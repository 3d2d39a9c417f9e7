/**
 * An audit checkpoint as an RFC 5424 syslog message: facility 13 (log audit), severity 5
 * (notice), app "faultline", msgid "audit-checkpoint", no structured data, and the checkpoint's
 * JSON line as the message, so a receiver's log is a checkpoint file `audit verify --checkpoints`
 * reads as it is. Over TCP each message is framed by octet counting (RFC 6587 3.4.1).
 */
import type { Checkpoint } from './checkpoint-file.js';

/** PRI = facility 13 (log audit) × 8 + severity 5 (notice). */
export const CHECKPOINT_PRI = 13 * 8 + 5;
export const CHECKPOINT_MSGID = 'audit-checkpoint';

/** RFC 5424 HOSTNAME/APP-NAME fields: printable US-ASCII without spaces, at most `max` characters; "-" when empty. */
function field(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

export function checkpointSyslogMessage(cp: Checkpoint, from: { hostname: string; procId: number | string; atMs: number }): string {
  const header = `<${CHECKPOINT_PRI}>1 ${new Date(from.atMs).toISOString()} ${field(from.hostname, 255)} faultline ${field(String(from.procId), 128)} ${CHECKPOINT_MSGID} -`;
  return `${header} ${JSON.stringify(cp)}`;
}

/** Octet-counting frame for syslog over TCP: "<length in bytes> <message>". */
export function octetFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
