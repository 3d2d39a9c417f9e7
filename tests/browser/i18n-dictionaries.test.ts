/**
 * The dashboard's English and Chinese dictionaries (web/src/i18n/*.json) hold the same keys with
 * the same {placeholders}, no empty text, and every key the source code looks up exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const WEB_SRC = fileURLToPath(new URL('../../../web/src/', import.meta.url));
const load = (lang: string): Record<string, string> => JSON.parse(readFileSync(join(WEB_SRC, 'i18n', `${lang}.json`), 'utf8')) as Record<string, string>;
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(n) ? [full] : [];
  });
}

t.test('en and zh have the same keys and placeholders', async (t) => {
  const en = load('en');
  const zh = load('zh');
  t.same(Object.keys(zh).sort(), Object.keys(en).sort(), 'same keys');
  for (const [k, v] of Object.entries(en)) {
    t.ok(v.trim() !== '' && (zh[k] ?? '').trim() !== '', `${k}: text in both`);
    t.same(placeholders(zh[k] ?? ''), placeholders(v), `${k}: same placeholders`);
  }
  t.ok(Object.values(zh).some((v) => /[\u4e00-\u9fff]/.test(v)), 'the Chinese dictionary is Chinese');
});

t.test('every key the code looks up exists', async (t) => {
  const en = load('en');
  const missing: string[] = [];
  for (const file of sources(WEB_SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([A-Za-z0-9_.-]+)'/g)) if (!(m[1] as string in en)) missing.push(`${file}: ${m[1]}`);
  }
  t.same(missing, [], 'no literal key is missing');
  // Keys built at run time: each value a page can produce.
  for (const k of ['live.connecting', 'live.open', 'live.closed', 'tickets.sla.response', 'tickets.sla.resolution', 'ticketAction.escalate', 'ticketAction.reopen']) {
    t.ok(k in en, k);
  }
  for (const role of ['viewer', 'operator', 'engineer', 'admin']) t.ok(`role.${role}` in en, `role.${role}`);
  for (const s of ['new', 'acknowledged', 'in-progress', 'waiting-on-customer', 'resolved', 'closed']) t.ok(`ticketStatus.${s}` in en, `ticketStatus.${s}`);
  for (const s of ['active-unacknowledged', 'active-acknowledged', 'cleared-unacknowledged', 'shelved']) t.ok(`alarmState.${s}` in en, `alarmState.${s}`);
});
