/**
 * Child process of the login-storm bench: many MQTT 3.1.1 logins over raw loopback sockets, each a
 * hand-built CONNECT (clean session, user name and password) that waits for its CONNACK, so the
 * clients cost far less than MQTT.js and the figure is the broker's. Sessions stay open (as devices
 * that are back) until the parent says `close`.
 * Parent → child: {run: {port, devices, concurrency, timeoutMs}}, then {close: true};
 * child → parent: {ready: true}, then {done: {ok, refused, failed, firstCode, ms}}, then {closed: true}.
 */
import { connect, type Socket } from 'node:net';

export interface StormDevice {
  clientId: string;
  username: string;
  password: string;
}

export interface StormRun {
  port: number;
  devices: StormDevice[];
  concurrency: number;
  timeoutMs: number;
}

export interface StormResult {
  ok: number;
  /** CONNACK with a non-zero return code. */
  refused: number;
  /** No CONNACK: socket error, close or timeout. */
  failed: number;
  /** The first non-zero return code seen (0 when none). */
  firstCode: number;
  ms: number;
}

function utf8Field(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  let x = n;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    out.push(byte);
  } while (x > 0);
  return Buffer.from(out);
}

/** MQTT 3.1.1 CONNECT (§3.1): protocol "MQTT" level 4, clean session, keep-alive 60 s, user name and password when given. */
export function connectPacket(d: StormDevice): Buffer {
  const withUser = d.username !== '';
  const flags = 0x02 | (withUser ? 0xc0 : 0);
  const variable = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, flags, 0, 60])]);
  const payload = Buffer.concat([utf8Field(d.clientId), ...(withUser ? [utf8Field(d.username), utf8Field(d.password)] : [])]);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

const open: Socket[] = [];

/** One login: resolves with the CONNACK return code, or -1 when none came. */
function login(port: number, d: StormDevice, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let got = Buffer.alloc(0);
    let settled = false;
    const finish = (code: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (code === 0) open.push(socket);
      else socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(-1), timeoutMs);
    socket.on('connect', () => socket.write(connectPacket(d)));
    socket.on('data', (b: Buffer) => {
      got = Buffer.concat([got, b]);
      if (got.length >= 4) finish(got[0] === 0x20 ? got[3] ?? -1 : -1);
    });
    socket.on('error', () => finish(-1));
    socket.on('close', () => finish(-1));
  });
}

async function run(r: StormRun): Promise<StormResult> {
  const result: StormResult = { ok: 0, refused: 0, failed: 0, firstCode: 0, ms: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let d = r.devices[next++]; d !== undefined; d = r.devices[next++]) {
      const code = await login(r.port, d, r.timeoutMs);
      if (code === 0) result.ok++;
      else if (code > 0) {
        result.refused++;
        if (result.firstCode === 0) result.firstCode = code;
      } else result.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, r.concurrency) }, worker));
  result.ms = performance.now() - started;
  return result;
}

process.on('message', (m: { run?: StormRun; close?: boolean }) => {
  if (m.run) void run(m.run).then((done) => process.send?.({ done }));
  if (m.close) {
    for (const s of open.splice(0)) s.destroy();
    process.send?.({ closed: true });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
