/** The agent's durable outbox: public face. */
export { DEFAULT_OUTBOX_MAX_BYTES, openOutbox, Outbox, type OutboxOptions } from './outbox.js';
export { EVICTION_ORDER, evictableFor } from './eviction.js';
export { OUTBOX_KINDS, type KindCounts, type NewOutboxMessage, type OutboxDepth, type OutboxKind, type OutboxMessage, type PeekFilter } from './types.js';
