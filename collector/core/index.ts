/** The collector's pure domain core: plain functions over plain data, no I/O, time passed in. One folder per domain. */
export * from './devices/index.js';
export * from './desk/index.js';
export * from './priority/index.js';
export * from './tickets/index.js';
export * from './sla/index.js';
export * from './alarms/index.js';
export * from './notifications/index.js';
export * from './routing/index.js';
export * from './reports/index.js';
export * from './knowledge/index.js';
export * from './access/index.js';
