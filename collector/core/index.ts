/** The collector's pure domain core: plain functions over plain data, no I/O, time passed in. */
export * from './ticket.js';
export * from './priority.js';
export * from './ticket-number.js';
export * from './ticket-rules.js';
export * from './device-registry.js';
export * from './ingest-message.js';
