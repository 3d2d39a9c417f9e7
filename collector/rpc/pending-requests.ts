/**
 * RPC requests waiting for their answer, by request id (pure: no timers, no I/O). Bounded: past
 * `max` a new request is refused with FL_ERR_RPC_BUSY rather than letting a stuck device grow
 * memory without limit. Each entry remembers its device, so an answer can be checked against the
 * topic it came on and a device that goes offline can fail its requests at once.
 */
import { FaultlineError } from '../../protocol/errors.js';

export interface PendingTarget {
  site: string;
  device: string;
}

export const DEFAULT_MAX_PENDING = 1000;

export class PendingRequests<T extends PendingTarget> {
  private readonly byId = new Map<string, T>();

  constructor(readonly max = DEFAULT_MAX_PENDING) {}

  get size(): number {
    return this.byId.size;
  }

  add(id: string, entry: T): void {
    if (this.byId.has(id)) throw new FaultlineError('FL_ERR_RPC_DUPLICATE_ID', `request id ${id} is already waiting`, { context: { id } });
    if (this.byId.size >= this.max) {
      throw new FaultlineError('FL_ERR_RPC_BUSY', `too many device requests in flight (${this.max}); try again shortly`, {
        context: { max: this.max }, hint: 'wait for the pending requests to be answered or to time out',
      });
    }
    this.byId.set(id, entry);
  }

  /** Removes and returns the request an answer belongs to, only when it came from the device asked. */
  settle(id: string, from: PendingTarget): T | undefined {
    const entry = this.byId.get(id);
    if (!entry || entry.site !== from.site || entry.device !== from.device) return undefined;
    this.byId.delete(id);
    return entry;
  }

  /** Removes and returns one request (its deadline passed). */
  take(id: string): T | undefined {
    const entry = this.byId.get(id);
    if (entry) this.byId.delete(id);
    return entry;
  }

  /** Removes and returns every request to one device (it went offline). */
  takeDevice(target: PendingTarget): T[] {
    const out: T[] = [];
    for (const [id, e] of this.byId) {
      if (e.site === target.site && e.device === target.device) {
        this.byId.delete(id);
        out.push(e);
      }
    }
    return out;
  }

  /** Removes and returns everything (the client stops). */
  drain(): T[] {
    const out = [...this.byId.values()];
    this.byId.clear();
    return out;
  }
}
