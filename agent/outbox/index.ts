/** The agent's durable outbox: public face. */
export { DEFAULT_OUTBOX_MAX_BYTES, openOutbox, Outbox, REFUSED_BY_COLLECTOR, type OutboxOptions } from './outbox.js';
export { EVICTION_ORDER, evictableFor } from './eviction.js';
export { OUTBOX_KINDS, type KindCounts, type EventRefusal, type NewOutboxMessage, type OutboxDepth, type OutboxKind, type OutboxMessage, type PeekFilter } from './types.js';
