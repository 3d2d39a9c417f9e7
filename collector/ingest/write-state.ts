/**
 * Whether the store takes writes: after a failed commit the collector is read-only (it acknowledges
 * no MQTT message: the senders keep them and redeliver; API reads go on) until commits have
 * succeeded for `settleMs` without a failure in between. A nearly full disk lets a commit through
 * now and then (SQLite reuses WAL space after a checkpoint); without that settling each lucky
 * commit would end the spell and the next failure start another, one log line each. Each change is
 * reported once, through `onChange`.
 */
export interface WriteStateSnapshot {
  writable: boolean;
  /** When the store stopped taking writes (epoch ms), null while writable. */
  sinceMs: number | null;
  /** Why, in a sentence (the last failure), null while writable. */
  reason: string | null;
  /** The failure's error code, null while writable. */
  code: string | null;
  /** Messages refused since the store stopped taking writes (the senders keep them). */
  refused: number;
}

export type WriteChange = 'failing' | 'recovered';

/** Commits must succeed this long, with no failure, to end a read-only spell. */
export const WRITE_SETTLE_MS = 5_000;

export class WriteState {
  private state: WriteStateSnapshot = { writable: true, sinceMs: null, reason: null, code: null, refused: 0 };
  /** The first success after the last failure of a spell. */
  private succeedingSinceMs: number | null = null;

  constructor(private readonly onChange: (change: WriteChange, state: WriteStateSnapshot) => void = () => undefined,
    private readonly settleMs = WRITE_SETTLE_MS) {}

  /** A commit failed. */
  failed(code: string, reason: string, nowMs: number): void {
    const starts = this.state.writable;
    this.state = { writable: false, sinceMs: starts ? nowMs : this.state.sinceMs, reason, code, refused: this.state.refused + 1 };
    this.succeedingSinceMs = null;
    if (starts) this.onChange('failing', this.snapshot(nowMs));
  }

  /** A commit succeeded. */
  succeeded(nowMs: number): void {
    if (this.state.writable) return;
    this.succeedingSinceMs ??= nowMs;
    this.settle(nowMs);
  }

  snapshot(nowMs: number): WriteStateSnapshot {
    this.settle(nowMs);
    return { ...this.state };
  }

  private settle(nowMs: number): void {
    if (this.state.writable || this.succeedingSinceMs === null || nowMs - this.succeedingSinceMs < this.settleMs) return;
    const spell = this.state;
    this.state = { writable: true, sinceMs: null, reason: null, code: null, refused: 0 };
    this.succeedingSinceMs = null;
    this.onChange('recovered', spell);
  }
}
