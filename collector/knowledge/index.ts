/** The knowledge base: entries per model pattern and fault code, seeded from the adapters, learned from resolutions. */
export { KnowledgeService, type LearnInput, type Learned } from './knowledge-service.js';
export { adapterSeeds, type KbSeed } from './adapter-seeds.js';
