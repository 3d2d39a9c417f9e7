/** What every desk transition takes in and gives back: context, effects, timers, audit records, errors. */
export * from './audit-record.js';
export * from './desk-context.js';
export * from './desk-errors.js';
export * from './desk-timers.js';
