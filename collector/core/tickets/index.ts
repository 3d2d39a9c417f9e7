/** Tickets: the record, numbering (TS-YYYYMMDD-NNNN), intake, lifecycle, verification before closing, correlation and site parents. */
export * from './correlation.js';
export * from './desk-ticket.js';
export * from './site-parent.js';
export * from './ticket-feedback.js';
export * from './ticket-intake.js';
export * from './ticket-lifecycle.js';
export * from './ticket-number.js';
export * from './ticket-rules.js';
export * from './ticket-verification.js';
export * from './ticket.js';
