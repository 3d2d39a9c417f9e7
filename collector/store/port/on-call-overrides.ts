/**
 * On-call overrides set through the API (a cover, a swap), kept in the store beside the desk
 * config's own overrides: the desk applies both (core/routing/on-call-board.ts). Append only.
 */
import type { TeamOverride } from '../../core/routing/on-call-board.js';

export interface NewOnCallOverride extends TeamOverride {
  /** Who set it (a user name). */
  createdBy: string;
}

export interface StoredOnCallOverride extends NewOnCallOverride {
  id: number;
  createdMs: number;
}

export interface OnCallOverridesPort {
  add(o: NewOnCallOverride, nowMs: number): Promise<StoredOnCallOverride>;
  /** Overrides that end after `endingAfterMs`, by start time then id. */
  list(endingAfterMs: number): Promise<StoredOnCallOverride[]>;
}
