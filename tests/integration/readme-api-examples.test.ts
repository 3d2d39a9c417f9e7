/**
 * Issue #15 item 5: the README's API examples run. Every `curl` command in the README's shell
 * blocks is run, in order, against a real collector on loopback that has one alarm and one
 * ticket (a fault event published over MQTT): its flags (-s, -c/-b cookie jar, -H, -d, -X) are
 * carried out with fetch. The README's placeholders stand for real values: `$TOKEN` /
 * `$FAULTLINE_TOKEN` an API token, `"password":"…"` the user's password, `X-CSRF-Token: Q2x…` the
 * token the login in the same block returned, `http://127.0.0.1:8080` the collector. Each must
 * succeed (2xx), or meet a state an earlier example already moved on (409 invalid transition).
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import t from 'tap';
import { silentLogger } from '../../protocol/logger.js';
import { startCollector } from '../../collector/collector.js';
import { encodeFaultEvent } from '../../protocol/codec.js';
import { apiCallerIn, TEST_PASSWORD } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** Shell words of one command line: '…' literal, "…" with $VARS expanded, backslash-newline joined. */
function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  const expand = (s: string): string => s.replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? `$${name}`);
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === ' ') { if (cur !== null) out.push(cur); cur = null; continue; }
    if (c === '#' && cur === null) break;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unbalanced quote in: ${line}`);
      const text = line.slice(i + 1, end);
      cur = (cur ?? '') + (c === '"' ? expand(text) : text);
      i = end;
      continue;
    }
    cur = (cur ?? '') + (c === '$' ? expand(line.slice(i).split(/[^A-Z_$]/)[0] ?? '') : c);
    if (c === '$') i += (line.slice(i).split(/[^A-Z_$]/)[0] ?? '$').length - 1;
  }
  if (cur !== null) out.push(cur);
  return out;
}

interface CurlExample { block: number; text: string }

/** The curl commands of each shell block (```sh or bare ```), continuation lines joined. */
function curlExamples(): CurlExample[] {
  const blocks: string[] = [];
  let open: { lang: string; lines: string[] } | null = null;
  for (const line of readme.split('\n')) {
    const fence = /^```(\w*)$/.exec(line);
    if (fence && !open) open = { lang: fence[1] ?? '', lines: [] };
    else if (fence && open) {
      if (open.lang === '' || open.lang === 'sh') blocks.push(open.lines.join('\n'));
      open = null;
    } else open?.lines.push(line);
  }
  return blocks.flatMap((b, block) => b.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => /^(curl |[A-Z_]+=)/.test(l)).map((text) => ({ block, text })));
}

t.test('every curl example of the README runs against a real collector', async (t) => {
  const dir = tempDir('faultline-readme-api-');
  t.teardown(dir.remove);
  const collector = await startCollector({ dataDir: dir.path, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const alice = await apiCallerIn(dir.path, 'admin', 'alice');

  // One fault: alarm 1 and ticket 1 for the examples to act on.
  const client = await mqtt.connectAsync(collector.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  await client.publishAsync('fl/v1/plant-a/drive-7/event', Buffer.from(encodeFaultEvent({
    id: '019a0000-0000-7000-8000-000000000001', device: 'drive-7', site: 'plant-a', seq: 1, timeMs: Date.now(), source: 'modbus',
    category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition: 'raise', message: 'Output overcurrent',
    snapshot: [], logExcerpt: [], labels: {}, adapterId: 'generic-vfd', remedy: '',
  })), { qos: 1 });
  await waitFor('ticket 1', async () => ((await fetch(`${collector.httpUrl}/api/tickets/1`, { headers: alice.headers })).ok ? true : undefined));

  const examples = curlExamples();
  t.ok(examples.filter((e) => e.text.startsWith('curl')).length >= 9, `found ${examples.length} commands`);
  const vars: Record<string, string> = { FAULTLINE_TOKEN: alice.token };
  let jar = '';
  let csrf = '';
  for (const { block, text } of examples) {
    const assignment = /^([A-Z_]+)=(\S+)/.exec(text);
    if (assignment) {
      t.equal(assignment[2], 'flt_…', `${assignment[1]} is assigned the token placeholder`);
      vars[assignment[1] ?? ''] = alice.token;
      continue;
    }
    const argv = words(text.replace('"password":"…"', `"password":"${TEST_PASSWORD}"`), vars);
    let method: string | undefined;
    let body: string | undefined;
    let saveJar = false;
    let sendJar = false;
    let url = '';
    const headers: Record<string, string> = {};
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i] ?? '';
      const next = (): string => argv[++i] ?? '';
      if (a === '-s') continue;
      else if (a === '-c') { next(); saveJar = true; } else if (a === '-b') { next(); sendJar = true; } else if (a === '-X') method = next();
      else if (a === '-d') body = next();
      else if (a === '-H') {
        const [name, ...value] = next().split(':');
        headers[(name ?? '').trim().toLowerCase()] = value.join(':').trim();
      } else if (/^https?:\/\//.test(a)) url = a;
      else t.fail(`block ${block}: the test does not know curl's ${a} (in: ${text})`);
    }
    if (headers['x-csrf-token'] === 'Q2x…') headers['x-csrf-token'] = csrf;
    if (sendJar) headers.cookie = jar;
    t.match(url, /^http:\/\/127\.0\.0\.1:8080\//, `the example talks to the documented address: ${text}`);
    const res = await fetch(url.replace('http://127.0.0.1:8080', collector.httpUrl), { method: method ?? (body ? 'POST' : 'GET'), headers, ...(body ? { body } : {}) });
    const answer = await res.text();
    if (saveJar) {
      jar = /^fl_session=[^;]*/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? '';
      csrf = (JSON.parse(answer) as { csrfToken?: string }).csrfToken ?? '';
    }
    const movedOn = res.status === 409 && /INVALID_TRANSITION/.test(answer);
    t.ok(res.ok || movedOn, `${res.status} for: ${text}${res.ok ? '' : ` → ${answer.slice(0, 300)}`}`);
  }
});
