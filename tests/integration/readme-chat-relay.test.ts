/**
 * The README's chat relay (section "Webhooks into a chat tool") run as it stands, in a real Node
 * process: a signed faultline webhook becomes one `{text}` POST to a chat incoming-webhook (a sink
 * on loopback) naming the ticket; an unsigned or wrongly signed one is refused with 401.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { notifyTicket } from '../../collector/core/notifications/notifications.js';
import { webhookDeliveries } from '../../collector/core/notifications/webhook-delivery.js';
import { signBody } from '../../collector/desk/webhook-sender.js';
import { deviceDeskTicket } from '../unit/collector-core-fixtures.js';
import { freeLoopbackPort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const SECRET = 'at least sixteen characters';

t.test('the README chat relay forwards signed webhooks as one chat line each', async (t) => {
  const block = /```js\n(\/\/ chat-relay\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('no chat-relay.mjs block in the README');
  const dir = tempDir('faultline-relay-');
  t.teardown(dir.remove);
  const file = join(dir.path, 'chat-relay.mjs');
  writeFileSync(file, block);

  const chat: unknown[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { chat.push(JSON.parse(body)); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => sink.close(() => resolve())));

  const port = await freeLoopbackPort();
  const relay = spawn(process.execPath, [file], {
    env: { ...process.env, CHAT_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hooks/abc`, WEBHOOK_SECRET: SECRET, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { relay.kill('SIGTERM'); });
  let out = '';
  relay.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  relay.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  await waitFor('the relay to listen', () => (out.includes('relay listening') ? true : undefined));

  const ticket = deviceDeskTicket({}, 1);
  const [d] = webhookDeliveries(notifyTicket(ticket, 'ticket.opened', Date.now(), 'opened by a critical fault'), [{ id: 'chat', events: '*' }]);
  if (!d) throw new Error('no delivery');
  const url = `http://127.0.0.1:${port}/`;
  const post = (sig: string) => fetch(url, { method: 'POST', body: d.body, headers: { 'content-type': 'application/json', 'x-faultline-signature': sig } });

  t.equal((await post(signBody('another secret, 16+ chars', Math.floor(Date.now() / 1000), d.body))).status, 401, 'a wrong secret is refused');
  t.equal((await post('')).status, 401, 'no signature is refused');
  t.equal(chat.length, 0, 'nothing reached the chat');
  t.equal((await post(signBody(SECRET, Math.floor(Date.now() / 1000), d.body))).status, 204);
  t.equal(chat.length, 1);
  t.match(chat[0], { text: new RegExp(`^${ticket.priority} ${ticket.number} ticket\\.opened: .*\\(plant-a/drive-1\\) opened by a critical fault$`) });
});
