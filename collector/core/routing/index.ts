/** Who gets a ticket: routing rules, on-call rotas, assignment by load, and escalation (when a tier's deadline slips). */
export * from './assignment.js';
export * from './escalation.js';
export * from './on-call.js';
export * from './routing.js';
