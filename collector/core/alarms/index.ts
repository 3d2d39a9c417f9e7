/** Alarm states (ISA-18.2): raise/clear/acknowledge/shelve, suppression, bulk actions, floods and chattering. */
export * from './alarm-bulk.js';
export * from './alarm-chatter.js';
export * from './alarm-flood.js';
export * from './alarm-state.js';
export * from './alarm-suppression.js';
export * from './sliding-window.js';
