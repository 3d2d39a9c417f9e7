/** The knowledge base: entries per model pattern and fault code, seeded from the adapters, learned from resolutions. */
export { KnowledgeBase, type KbSearch, type KbFixRef } from './knowledge-store.js';
export { KnowledgeService, type LearnInput, type Learned } from './knowledge-service.js';
export { TicketLookup, type KbTicket } from './ticket-lookup.js';
export { adapterSeeds, type KbSeed } from './adapter-seeds.js';
export { knowledgeRoutes, type KnowledgeRoutesOptions } from './kb-routes.js';
