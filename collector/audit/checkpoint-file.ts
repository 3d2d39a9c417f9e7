/**
 * Signed checkpoints of the audit chain's head, kept outside the database: one JSON line per
 * checkpoint appended to `audit-checkpoints.jsonl` in the data directory (or a path of your own),
 * each signed with HMAC-SHA256 under the key file `audit-checkpoint.key` (32 random bytes, mode
 * 0600, never in the database). Whoever can rewrite the database but not the key cannot make a
 * shortened or rewritten chain agree with the checkpoints. `faultline audit verify` reads them back,
 * also from copies kept elsewhere: a syslog server's log of them, or the bodies of webhook deliveries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { FaultlineError } from '../../protocol/errors.js';
import type { AuditAnchor, AuditHead } from '../store/port.js';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';
export const CHECKPOINT_KEY_FILE = 'audit-checkpoint.key';

const DOMAIN = 'faultline-audit-checkpoint/v1';

export interface Checkpoint extends AuditAnchor {
  /** HMAC-SHA256 (hex) of the domain, seq, hash and atMs under the checkpoint key. */
  mac: string;
}

function macOf(key: Buffer, seq: number, hash: string, atMs: number): string {
  return createHmac('sha256', key).update(`${DOMAIN}\n${seq}\n${hash}\n${atMs}`).digest('hex');
}

export function signCheckpoint(key: Buffer, head: AuditHead, atMs: number): Checkpoint {
  return { seq: head.seq, hash: head.hash, atMs, mac: macOf(key, head.seq, head.hash, atMs) };
}

/** Appends one signed line and syncs it to disk (the file is only ever appended to). */
export function appendCheckpoint(file: string, checkpoint: Checkpoint): void {
  try {
    appendFileSync(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    const fd = openSync(file, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch (cause) {
    throw new FaultlineError('FL_ERR_AUDIT_CHECKPOINT', `cannot append to the audit checkpoint file ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: 'the checkpoint file must be writable by the collector',
    });
  }
}

export interface CheckpointRead {
  /** Checkpoints whose signature holds, in file order. */
  checkpoints: Checkpoint[];
  /** Lines that are not a checkpoint or whose signature does not hold (1-based line numbers). */
  bad: Array<{ line: number; reason: string }>;
}

const isHex = (s: unknown, n: number): s is string => typeof s === 'string' && s.length === n && /^[0-9a-f]+$/.test(s);

/**
 * The checkpoint a line holds: a line of the checkpoint file, a syslog line whose message is one
 * (what the collector sends, as a receiver logs it: the JSON after the header), or a webhook body
 * of the event audit.checkpoint (the checkpoint is its `details`). undefined: no JSON object.
 */
function checkpointOfLine(raw: string): Partial<Checkpoint> | undefined {
  const start = raw.indexOf('{');
  if (start < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw.slice(start));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { event?: unknown; details?: unknown };
  if (v.event === 'audit.checkpoint' && typeof v.details === 'object' && v.details !== null) return v.details as Partial<Checkpoint>;
  return value as Partial<Checkpoint>;
}

/** Reads and checks every line; undefined when the file does not exist. */
export function readCheckpoints(file: string, key: Buffer): CheckpointRead | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FaultlineError('FL_ERR_AUDIT_CHECKPOINT', `cannot read the audit checkpoint file ${file}: ${(cause as Error).message}`, { cause, context: { file } });
  }
  const out: CheckpointRead = { checkpoints: [], bad: [] };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const c = checkpointOfLine(raw);
    if (c === undefined) {
      out.bad.push({ line: i + 1, reason: 'not JSON' });
      return;
    }
    if (!Number.isSafeInteger(c.seq) || !Number.isFinite(c.atMs) || !isHex(c.hash, 64) || !isHex(c.mac, 64)) {
      out.bad.push({ line: i + 1, reason: 'not a checkpoint (seq, hash, atMs, mac expected)' });
      return;
    }
    const cp = c as Checkpoint;
    const expected = Buffer.from(macOf(key, cp.seq, cp.hash, cp.atMs), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(cp.mac, 'hex'))) {
      out.bad.push({ line: i + 1, reason: `the signature of the checkpoint at row ${cp.seq} does not match (forged, or another key)` });
      return;
    }
    out.checkpoints.push(cp);
  });
  return out;
}
