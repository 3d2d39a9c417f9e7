/**
 * The knowledge base over HTTP (app.inject, no socket): seeded from the adapters, searched in full
 * text, suggested for a ticket ranked by fixes, learned from a resolution, reviewed.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from 'better-sqlite3';
import BetterSqlite from 'better-sqlite3';
import t, { type Test } from 'tap';
import { installErrorHandlers } from '../../collector/api/api-errors.js';
import { adapterSeeds } from '../../collector/knowledge/adapter-seeds.js';
import { knowledgeRoutes } from '../../collector/api/kb-routes.js';
import { KnowledgeService } from '../../collector/knowledge/knowledge-service.js';
import { KnowledgeBase } from '../../collector/store/sqlite/knowledge-store.js';
import { promised } from '../../collector/store/sqlite/promised.js';
import { TicketLookup } from '../../collector/store/sqlite/ticket-lookup.js';
import { openTestStore } from '../helpers/test-database.js';
import { migrate, MIGRATIONS } from '../../collector/store/sqlite/migrations.js';
import { KNOWLEDGE_MIGRATIONS } from '../../collector/store/sqlite/migrations-knowledge.js';
import { ADAPTERS } from '../../firmware-adapters/index.js';
import { insertDevice, insertTicket } from '../helpers/ticket-rows.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = 1_700_000_000_000;

async function setup(t: Test): Promise<{ app: FastifyInstance; db: Database; knowledge: KnowledgeService }> {
  const dir = tempDir('faultline-kb-');
  const store = openTestStore(dir.path, NOW);
  const { db } = store;
  const knowledge = new KnowledgeService(store.knowledge);
  await knowledge.kb.seed(adapterSeeds(ADAPTERS), NOW);
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
  installErrorHandlers(app);
  await app.register(knowledgeRoutes, { knowledge, now: () => NOW + 1000 });
  await app.ready();
  t.teardown(async () => { await app.close(); await store.close(); dir.remove(); });
  return { app, db, knowledge };
}

t.test('seeding: every adapter fault is in, knowledge sections carry diagnosis; reseeding is idempotent', async (t) => {
  const { app, knowledge } = await setup(t);
  const seeds = adapterSeeds(ADAPTERS);
  t.same(await knowledge.kb.seed(seeds, NOW + 5), [0, 0], 'nothing new, nothing changed');
  const all = (await app.inject({ url: '/api/kb?limit=200' })).json() as { entries: Array<{ code: string; source: string; reviewed: boolean }> };
  t.equal(all.entries.length, Math.min(200, seeds.length));
  const oc = (await app.inject({ url: '/api/kb?code=vfd.overcurrent' })).json() as { entries: Array<{ diagnosis: string[]; source: string; reviewed: boolean; title: string }> };
  t.equal(oc.entries.length, 1);
  t.match(oc.entries[0], { source: 'adapter:generic-vfd', reviewed: true, title: 'Output overcurrent trip' });
  t.ok((oc.entries[0]?.diagnosis.length ?? 0) >= 2, 'diagnosis steps from the adapter\'s knowledge section');
  const fan = (await app.inject({ url: '/api/kb?code=vfd.fan_failure' })).json() as { entries: Array<{ remedy: string; diagnosis: string[] }> };
  t.equal(fan.entries[0]?.diagnosis.length, 0, 'a fault without a knowledge entry is seeded from its remedy');
  t.ok((fan.entries[0]?.remedy.length ?? 0) > 0);
});

t.test('search: full text with prefixes, model filter, bad queries', async (t) => {
  const { app } = await setup(t);
  const res = (await app.inject({ url: '/api/kb?q=overcurr' })).json() as { entries: Array<{ code: string }> };
  t.ok(res.entries.some((e) => e.code === 'vfd.overcurrent'), 'prefix match in full text');
  const vfdOnly = (await app.inject({ url: '/api/kb?q=temperature&model=VFD-4000' })).json() as { entries: Array<{ modelPattern: string }> };
  t.ok(vfdOnly.entries.length > 0 && vfdOnly.entries.every((e) => new RegExp(e.modelPattern).test('VFD-4000')));
  t.same((await app.inject({ url: '/api/kb?q=%22%3B%20--' })).json(), { entries: [] }, 'punctuation only: no match, no SQL error');
  t.same((await app.inject({ url: '/api/kb?q=zzqxnotaword' })).json(), { entries: [] });
  t.equal((await app.inject({ url: '/api/kb?colour=red' })).statusCode, 400, 'unknown query keys are refused');
  t.equal((await app.inject({ url: '/api/kb/999999' })).statusCode, 404);
});

t.test('a ticket\'s suggestions are ranked by fixes; a resolution is learned, credited and reviewed', async (t) => {
  const { app, db } = await setup(t);
  insertDevice(db, { site: 'plant-a', device: 'drive-1', model: 'VFD-4000', firmware: '2.3.1' });
  const first = insertTicket(db, { number: 'TS-20231114-0001', extra: { resolution: JSON.stringify({ cause: 'Chafed motor cable', action: 'Replaced the motor cable', fix: 'permanent', by: { kind: 'user', id: 'ann' }, atMs: NOW }) } });
  const second = insertTicket(db, { number: 'TS-20231114-0002' });

  const before = (await app.inject({ url: `/api/tickets/${first}/kb` })).json() as { ticket: { model: string }; suggestions: Array<{ entry: { id: number; source: string } }> };
  t.equal(before.ticket.model, 'VFD-4000');
  t.same(before.suggestions.map((s) => s.entry.source), ['adapter:generic-vfd']);
  const seededId = before.suggestions[0]?.entry.id ?? 0;

  const learned = await app.inject({ method: 'POST', url: '/api/tickets/TS-20231114-0001/kb', payload: {} });
  t.equal(learned.statusCode, 201, 'a new entry');
  const entry = learned.json().entry as { id: number; reviewed: boolean; fixes: number; modelPattern: string; remedy: string; source: string };
  t.match(entry, { reviewed: false, fixes: 1, modelPattern: '^VFD-\\d{4}$', remedy: 'Replaced the motor cable', source: 'ticket:TS-20231114-0001' });

  const again = await app.inject({ method: 'POST', url: `/api/tickets/${second}/kb`, payload: { cause: 'Cable crushed by a forklift', action: 'replaced the motor cable' } });
  t.equal(again.statusCode, 200, 'the same action updates the learned entry instead of duplicating it');
  t.match(again.json(), { created: false, entry: { id: entry.id, fixes: 2 } });

  const ranked = (await app.inject({ url: `/api/tickets/${second}/kb` })).json() as { suggestions: Array<{ rank: number; reason: string; entry: { id: number } }> };
  t.same(ranked.suggestions.map((s) => s.entry.id), [entry.id, seededId], 'the entry that fixed it twice ranks first');
  t.match(ranked.suggestions[0]?.reason, /^fixed 2 earlier tickets of vfd.overcurrent; not yet reviewed/);

  const cite = await app.inject({ method: 'POST', url: `/api/kb/${seededId}/fixes`, payload: { ticket: 'TS-20231114-0002' } });
  t.match(cite.json(), { credited: true, entry: { fixes: 1 } });
  const citeTwice = await app.inject({ method: 'POST', url: `/api/kb/${seededId}/fixes`, payload: { ticket: String(second) } });
  t.match(citeTwice.json(), { credited: false, entry: { fixes: 1 } }, 'one credit per ticket');

  const reviewed = await app.inject({ method: 'POST', url: `/api/kb/${entry.id}/review`, payload: { reviewer: 'lead-engineer' } });
  t.match(reviewed.json(), { reviewed: true, reviewedBy: 'lead-engineer', reviewedAtMs: NOW + 1000 });
  const detail = (await app.inject({ url: `/api/kb/${entry.id}` })).json() as { fixedTickets: Array<{ ticketId: number }> };
  t.same(detail.fixedTickets.map((f) => f.ticketId).sort(), [first, second].sort());

  const noResolution = await app.inject({ method: 'POST', url: `/api/tickets/${insertTicket(db, { number: 'TS-20231114-0003' })}/kb`, payload: {} });
  t.equal(noResolution.statusCode, 400);
  t.match(noResolution.json(), { error: { code: 'FL_ERR_API_BAD_REQUEST', message: /has no resolution/ } });
  t.equal((await app.inject({ url: '/api/tickets/TS-20990101-0001/kb' })).statusCode, 404);
});

t.test('manual entries: create, update (needs review again; reseeding leaves edited seeds alone), bad patterns', async (t) => {
  const { app, knowledge } = await setup(t);
  const created = await app.inject({ method: 'POST', url: '/api/kb', payload: {
    modelPattern: '^VFD-4000$', code: 'vfd.overcurrent', title: 'Overcurrent at start on long cables', symptoms: 'Trips at start only',
    diagnosis: ['Measure the cable length'], remedy: 'Fit an output reactor',
  } });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { source: 'manual', reviewed: false, fixes: 0 });
  const seeded = (await knowledge.kb.search({ code: 'vfd.overvoltage', limit: 1 }))[0];
  t.ok(seeded);
  const edited = await app.inject({ method: 'POST', url: '/api/kb', payload: {
    id: seeded?.id, modelPattern: seeded?.modelPattern, code: 'vfd.overvoltage', title: 'DC bus overvoltage', remedy: 'Fit a braking resistor',
  } });
  t.equal(edited.statusCode, 200);
  t.match(edited.json(), { id: seeded?.id, reviewed: false, remedy: 'Fit a braking resistor', source: 'adapter:generic-vfd' });
  await knowledge.kb.seed(adapterSeeds(ADAPTERS), NOW + 10);
  t.equal((await knowledge.kb.get(seeded?.id ?? 0))?.remedy, 'Fit a braking resistor', 'a person\'s edit survives reseeding');
  const bad = await app.inject({ method: 'POST', url: '/api/kb', payload: { modelPattern: '([', code: 'x', title: 'x', remedy: 'x' } });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { code: 'FL_ERR_API_BAD_REQUEST', message: /modelPattern/ } });
  t.equal((await app.inject({ method: 'POST', url: '/api/kb', payload: { id: 999999, code: 'x', title: 'x', remedy: 'x' } })).statusCode, 404);
});

t.test('a tickets table without the desk\'s resolution column still gives suggestions', async (t) => {
  const dir = tempDir('faultline-kb-v1-');
  const db = new BetterSqlite(`${dir.path}/v1.db`);
  t.teardown(() => { db.close(); dir.remove(); });
  migrate(db, NOW, [...MIGRATIONS.slice(0, 1), ...KNOWLEDGE_MIGRATIONS]);
  // The adapter's own parts over this old schema (the store always migrates to the latest).
  const kb = new KnowledgeBase(db);
  const lookup = new TicketLookup(db);
  const knowledge = new KnowledgeService({
    ...promised(kb, ['seed', 'get', 'forCode', 'search', 'create', 'update', 'review', 'fixedTickets', 'recordFix']),
    learn: async () => undefined, ticket: async (ref) => lookup.find(ref),
  });
  await knowledge.kb.seed(adapterSeeds(ADAPTERS), NOW);
  const id = insertTicket(db, { number: 'TS-20231114-0001' });
  const ticket = await knowledge.ticket({ id });
  t.match(ticket, { model: '', resolution: null, familyPattern: '^VFD-\\d{4}$' });
  t.equal((await knowledge.suggest(ticket!)).length, 1);
});
