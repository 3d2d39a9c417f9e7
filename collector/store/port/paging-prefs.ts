/** Paging choices a user set for themselves through the API (they win over the desk config's for the member of the same name). */
import type { PagingPrefs } from '../../core/notifications/paging.js';

export interface StoredPagingPrefs {
  member: string;
  prefs: PagingPrefs;
  updatedMs: number;
}

export interface PagingPrefsPort {
  /** Replaces the member's choices. */
  set(member: string, prefs: PagingPrefs, nowMs: number): Promise<StoredPagingPrefs>;
  get(member: string): Promise<StoredPagingPrefs | undefined>;
  all(): Promise<StoredPagingPrefs[]>;
}
