/**
 * A direct writer for the Telemetry message (faultline.proto: Telemetry, Sample), the one message
 * the agent encodes every second: the same bytes protobufjs's generated encoder writes (proto3:
 * fields at their default value left out, fields in number order), in one buffer sized first, with
 * no per-field objects. For a 100-sample batch in the agent's interpreter-only V8 (agent/launch.ts)
 * protobufjs took 410-490 µs of CPU and this (with the mapping of codec.ts) 200-270 µs on a loaded
 * machine (tests/bench/codec.bench.ts prints both). tests/unit/telemetry-writer.test.ts
 * checks byte equality with protobufjs over generated messages, so a change to the .proto that
 * this file misses fails there. Returns null for what it does not cover (a time or enum outside
 * 0..2^53, a fractional time), which the caller encodes with protobufjs.
 */

/** A sample with its enums already mapped to their wire numbers. */
export interface WireSample {
  parameter: string;
  value: number;
  quality: number;
  timeMs: number;
  text: string;
  reason: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function varintSize(v: number): number {
  let n = 1;
  for (let x = v; x >= 128; x = Math.floor(x / 128)) n++;
  return n;
}

function writeVarint(buf: Buffer, at: number, v: number): number {
  let p = at;
  let x = v;
  while (x >= 128) {
    buf[p++] = (x % 128) | 128;
    x = Math.floor(x / 128);
  }
  buf[p++] = x;
  return p;
}

const coverable = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_SAFE;

/** Field tags: (field number << 3) | wire type. */
const TAG = { device: 0x0a, site: 0x12, samples: 0x1a, parameter: 0x0a, value: 0x11, quality: 0x18, timeMs: 0x20, text: 0x2a, reason: 0x30 } as const;

/** The encoded Telemetry, or null when a sample holds a value this writer leaves to protobufjs. */
export function writeTelemetry(device: string, site: string, samples: readonly WireSample[]): Uint8Array | null {
  const deviceBytes = Buffer.byteLength(device);
  const siteBytes = Buffer.byteLength(site);
  let total = (deviceBytes > 0 ? 1 + varintSize(deviceBytes) + deviceBytes : 0) + (siteBytes > 0 ? 1 + varintSize(siteBytes) + siteBytes : 0);
  // Per sample: its byte length, then the byte lengths of its two strings.
  const sizes = new Array<number>(samples.length * 3);
  // The samples of one poll share their time: its varint is sized once (and copied when written).
  let lastTime = Number.NaN;
  let lastTimeSize = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.timeMs !== lastTime) {
      if (!coverable(s.timeMs)) return null;
      lastTime = s.timeMs;
      lastTimeSize = varintSize(s.timeMs);
    }
    if (!coverable(s.quality) || !coverable(s.reason)) return null;
    const p = Buffer.byteLength(s.parameter);
    const tx = s.text === '' ? 0 : Buffer.byteLength(s.text);
    let n = 0;
    if (p > 0) n += 1 + varintSize(p) + p;
    if (!Object.is(s.value, 0)) n += 9;
    if (s.quality !== 0) n += 1 + varintSize(s.quality);
    if (s.timeMs !== 0) n += 1 + lastTimeSize;
    if (tx > 0) n += 1 + varintSize(tx) + tx;
    if (s.reason !== 0) n += 1 + varintSize(s.reason);
    sizes[3 * i] = n;
    sizes[3 * i + 1] = p;
    sizes[3 * i + 2] = tx;
    total += 1 + varintSize(n) + n;
  }
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  if (deviceBytes > 0) {
    buf[at++] = TAG.device;
    at = writeVarint(buf, at, deviceBytes);
    at += buf.write(device, at, 'utf8');
  }
  if (siteBytes > 0) {
    buf[at++] = TAG.site;
    at = writeVarint(buf, at, siteBytes);
    at += buf.write(site, at, 'utf8');
  }
  let timeAt = -1;
  let timeEnd = -1;
  lastTime = Number.NaN;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    buf[at++] = TAG.samples;
    at = writeVarint(buf, at, sizes[3 * i]!);
    const p = sizes[3 * i + 1]!;
    if (p > 0) {
      buf[at++] = TAG.parameter;
      at = writeVarint(buf, at, p);
      at += buf.write(s.parameter, at, 'utf8');
    }
    if (!Object.is(s.value, 0)) {
      buf[at++] = TAG.value;
      at = buf.writeDoubleLE(s.value, at);
    }
    if (s.quality !== 0) {
      buf[at++] = TAG.quality;
      at = writeVarint(buf, at, s.quality);
    }
    if (s.timeMs !== 0) {
      buf[at++] = TAG.timeMs;
      if (s.timeMs === lastTime) {
        buf.copyWithin(at, timeAt, timeEnd);
        at += timeEnd - timeAt;
      } else {
        lastTime = s.timeMs;
        timeAt = at;
        at = writeVarint(buf, at, s.timeMs);
        timeEnd = at;
      }
    }
    const tx = sizes[3 * i + 2]!;
    if (tx > 0) {
      buf[at++] = TAG.text;
      at = writeVarint(buf, at, tx);
      at += buf.write(s.text, at, 'utf8');
    }
    if (s.reason !== 0) {
      buf[at++] = TAG.reason;
      at = writeVarint(buf, at, s.reason);
    }
  }
  return buf;
}
