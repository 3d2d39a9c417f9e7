/**
 * Issue #15 item 5: the README's config examples cannot drift from the parsers. Every `yaml`
 * block is loaded with the parser it is written for (agent config, a fragment of an agent device
 * entry, or the desk config); a block of no known kind fails the test. The desk-config table's
 * `{field, …}` shapes must name fields the desk schema has (the calendar row once said
 * `{from, to}` where the schema wants `{start, end}`).
 */
import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { parseAgentConfig } from '../../agent/config/load-config.js';
import { DeskConfigSchema } from '../../collector/desk-config/desk-config-schema.js';
import { parseDeskConfig } from '../../collector/desk-config/load-desk-config.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const T0 = Date.parse('2026-03-05T10:00:00Z');

type Kind = 'agent' | 'agent-device-fragment' | 'desk' | 'prometheus';

function kindOf(block: string): Kind | undefined {
  if (/^# desk\.yaml$/m.test(block)) return 'desk';
  if (/^# prometheus\.yml$/m.test(block)) return 'prometheus';
  if (/^devices:/m.test(block)) return 'agent';
  if (/^ {4}\w/.test(block)) return 'agent-device-fragment';
  return undefined;
}

/**
 * A fragment of a device entry (indented keys) inside a minimal agent config; its `"…"`
 * placeholders (a password or write key "printed once") stand for a 32-character secret.
 */
const inDevice = (fragment: string): string =>
  `mqtt: { url: "mqtt://127.0.0.1:1883" }\ndevices:\n  - id: d1\n    site: s1\n    model: VFD-4000\n    firmware: "2.3.1"\n    modbus: { host: 127.0.0.1 }\n${fragment.replaceAll('"…"', `"${'s'.repeat(32)}"`)}`;

/** A Prometheus scrape config for the collector: the path /metrics serves, with a bearer token. */
function checkScrapeConfig(text: string): void {
  const config = parseYaml(text) as { scrape_configs?: Array<{ metrics_path?: string; authorization?: { type?: string; credentials_file?: string } }> };
  const job = config.scrape_configs?.[0];
  if (job?.metrics_path !== '/metrics') throw new Error(`metrics_path is ${job?.metrics_path}, the collector serves /metrics`);
  if (job.authorization?.type !== 'Bearer' || !job.authorization.credentials_file) throw new Error('/metrics needs a bearer token (authorization: {type: Bearer, credentials_file})');
}

t.test('every yaml block of the README parses with the parser it is written for', async (t) => {
  t.ok(yamlBlocks.length >= 4, `found ${yamlBlocks.length} yaml blocks`);
  const kinds = new Set<Kind>();
  for (const [i, block] of yamlBlocks.entries()) {
    const kind = kindOf(block);
    if (!kind) {
      t.fail(`yaml block ${i + 1} is of no known kind (agent config, device entry fragment, "# desk.yaml"): ${block.slice(0, 80)}`);
      continue;
    }
    kinds.add(kind);
    const where = `README yaml block ${i + 1} (${kind})`;
    t.doesNotThrow(() => {
      if (kind === 'desk') parseDeskConfig(block, where, T0);
      else if (kind === 'prometheus') checkScrapeConfig(block);
      else parseAgentConfig(kind === 'agent' ? block : inDevice(block), where);
    }, where);
  }
  t.same([...kinds].sort(), ['agent', 'agent-device-fragment', 'desk', 'prometheus'], 'each kind has an example');
});

t.test('the desk example sets what it says it sets', async (t) => {
  const block = yamlBlocks.find((b) => kindOf(b) === 'desk') ?? '';
  const s = parseDeskConfig(block, 'README desk example', T0);
  t.equal(s.calendars.office?.kind, 'business');
  t.match(s.sla.targets.P4, { calendarId: 'office', responseMinutes: 480 });
  t.same(s.teams.drives?.rotations.map((r) => r.tier), ['L1', 'L2', 'L3']);
  t.equal(s.teams.drives?.rotations[0]?.overrides[0]?.memberId, 'lars');
});

/** The field names of a README shape such as `{id, kind: a\|b, week: {mon: [{start, end}] …}}`, nested as written. */
interface Shape { [field: string]: Shape | null }

function parseShape(text: string): Shape {
  let i = 0;
  const skipValue = (): Shape | null => {
    while (text[i] === ' ') i++;
    if (text[i] === '{') return parseObject();
    if (text[i] === '[') {
      i++;
      while (text[i] === ' ') i++;
      const inner = text[i] === '{' ? parseObject() : null;
      let depth = 1;
      while (i < text.length && depth > 0) { if (text[i] === '[') depth++; if (text[i] === ']') depth--; i++; }
      return inner;
    }
    while (i < text.length && !',}'.includes(text[i] ?? '')) {
      if (text[i] === '"') { i++; while (i < text.length && text[i] !== '"') i++; }
      i++;
    }
    return null;
  };
  const parseObject = (): Shape => {
    const shape: Shape = {};
    i++; // {
    for (;;) {
      while (' ,…'.includes(text[i] ?? '') && i < text.length) i++;
      if (i >= text.length || text[i] === '}') { i++; return shape; }
      const name = /^[A-Za-z]+/.exec(text.slice(i))?.[0];
      if (!name) throw new Error(`cannot read a field name at "${text.slice(i, i + 20)}" in ${text}`);
      i += name.length;
      while (text[i] === ' ') i++;
      if (text[i] === '(') { while (i < text.length && text[i] !== ')') i++; i++; }
      while (text[i] === ' ') i++;
      let value: Shape | null = null;
      if (text[i] === ':') { i++; value = skipValue(); }
      shape[name] = value;
    }
  };
  return parseObject();
}

/** The schema one level down: through arrays to their items, through records to their values. */
function propertiesOf(schema: TSchema): Record<string, TSchema> | undefined {
  const s = schema as { type?: string; items?: TSchema; properties?: Record<string, TSchema>; patternProperties?: Record<string, TSchema> };
  if (s.type === 'array' && s.items) return propertiesOf(s.items);
  return s.properties;
}

function unknownFields(shape: Shape, schema: TSchema, path: string): string[] {
  const props = propertiesOf(schema);
  if (!props) return [];
  return Object.entries(shape).flatMap(([name, inner]) => {
    const child = props[name];
    if (!child) return [`${path}.${name} (the schema has ${Object.keys(props).join(', ')})`];
    return inner ? unknownFields(inner, child, `${path}.${name}`) : [];
  });
}

const schemaAt = (path: string[]): TSchema => path.reduce<TSchema>((s, key) => {
  const next = (s as { properties?: Record<string, TSchema>; patternProperties?: Record<string, TSchema>; additionalProperties?: TSchema });
  const found = next.properties?.[key] ?? (key === '*' ? (next.additionalProperties ?? Object.values(next.patternProperties ?? {})[0]) : undefined);
  if (!found) throw new Error(`no ${key} in the desk schema`);
  return found;
}, DeskConfigSchema);

/** Which schema a table row's shape describes, by the row's first key. */
const ROW_SCHEMAS: Record<string, string[]> = {
  'calendars[]': ['calendars'],
  'teams[]': ['teams'],
  'routing.defaultTeam': ['routing', 'rules'],
  'assets.defaultCriticality': ['assets', 'sites', '*'],
  'webhooks[]': ['webhooks'],
};

t.test('the desk table\'s shapes name only fields the desk schema has', async (t) => {
  const section = readme.slice(readme.indexOf('### Desk config'), readme.indexOf('## Dashboard'));
  const rows = [...section.matchAll(/^\| `([^`]+)`[^|]*\| [^|]*\| (.*)\|$/gm)];
  t.ok(rows.length >= 10, `found ${rows.length} rows`);
  let shapes = 0;
  for (const [, key, meaning] of rows) {
    const shapeText = /`(\{[^`]+\})`/.exec(meaning ?? '')?.[1];
    if (!shapeText) continue;
    const path = ROW_SCHEMAS[key ?? ''];
    if (!path) {
      t.fail(`row ${key} shows a shape but the test does not know its schema: add it to ROW_SCHEMAS`);
      continue;
    }
    shapes++;
    const shape = parseShape(shapeText.replace(/\\\|/g, '|'));
    t.same(unknownFields(shape, schemaAt(path), key ?? ''), [], `row ${key}: ${shapeText}`);
  }
  t.equal(shapes, Object.keys(ROW_SCHEMAS).length, 'every known shape row was checked');
});
