/**
 * Alarm history: every recorded transition of every alarm (the audit trail's alarm records:
 * raise, clear, acknowledge, shelve, suppress, out of service and back), filtered, newest first,
 * paged by a stable cursor (the audit sequence number: records only ever get appended).
 */
export interface AlarmHistoryFilter {
  site?: string;
  device?: string;
  code?: string;
  /** Only these alarms ("site/device/code"), e.g. the ones of one priority; empty: none. */
  subjects?: readonly string[];
  /** The transition: raise, clear, acknowledge, shelve… */
  action?: string;
  /** The state the alarm moved to. */
  toState?: string;
  fromMs?: number;
  toMs?: number;
  /** Words to find in the alarm's id, the reason or the actor (case-insensitive). */
  text?: string;
  /** The cursor: records older than this sequence number. */
  beforeSeq?: number;
  limit: number;
}
