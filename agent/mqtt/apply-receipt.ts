/**
 * A collector's receipt applied to the outbox (drainer.ts `receipt`): the named fault events are
 * deleted wherever they are (waiting, in flight or sent), and the ones the collector refused as bad
 * input become permanent dead letters, each logged at error level with what to do.
 */
import type { Logger } from '../../protocol/logger.js';
import type { EventRefusal, Outbox } from '../outbox/index.js';
import type { ReceiptCounters } from './drain-types.js';

/** Returns how many events it deleted; a failure to write the outbox is logged (the events are then sent again when due, and receipted again). */
export function applyReceipt(outbox: Outbox, device: string, eventIds: readonly string[], refused: readonly EventRefusal[], counters: ReceiptCounters, log: Logger): number {
  if (!outbox.isOpen) return 0;
  let deleted = 0;
  try {
    deleted = outbox.receipt(device, eventIds);
    counters.receipted += deleted;
    if (refused.length > 0) {
      const marked = outbox.refuse(device, refused);
      counters.refusedByCollector += marked.length;
      for (const r of refused) {
        log.error({ code: r.code, eventId: r.id || undefined, deadLetters: marked.length, hint: 'the collector will never store this event: it is kept in the outbox as a dead letter and not sent again; report it with the agent version (an encoding bug) or move the outbox file aside' },
          `the collector refused a fault event as bad input (${r.code})`);
      }
    }
  } catch (err) {
    log.error({ err, events: eventIds.length }, 'cannot apply a receipt to the outbox');
  }
  return deleted;
}
