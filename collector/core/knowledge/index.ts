/** Ranking knowledge-base entries for a ticket. */
export * from './knowledge-rank.js';
