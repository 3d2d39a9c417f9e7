/** Priority P1–P4: from fault severity and the impact × urgency matrix; the one table the dashboard shows too. */
export * from './priority-matrix.js';
export * from './priority.js';
export * from './ticket-priority.js';
