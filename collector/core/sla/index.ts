/** SLA: business-hours calendars, time zones, per-priority targets and the running/paused clocks of a ticket. */
export * from './sla-calendar.js';
export * from './sla-clock.js';
export * from './sla-policy.js';
export * from './ticket-clocks.js';
export * from './time-zone.js';
