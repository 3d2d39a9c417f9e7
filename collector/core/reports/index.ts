/** Service reports: SLA attainment, MTTA/MTTR, top faults, alarm load, CSV. */
export * from './report-alarms.js';
export * from './report-csv.js';
export * from './report-faults.js';
export * from './report-input.js';
export * from './report-period.js';
export * from './report-summary.js';
export * from './report-tickets.js';
