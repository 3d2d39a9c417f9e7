/**
 * A direct writer for the Telemetry message (faultline.proto: Telemetry, Sample), the one message
 * the agent encodes every second: the same bytes protobufjs's generated encoder writes (proto3:
 * fields at their default value left out, fields in number order), in one buffer sized first, with
 * no per-field or per-sample objects: it reads the domain's samples as they are (enums mapped here)
 * and copies each name's UTF-8 bytes from a cache. For a 100-sample batch in the agent's
 * interpreter-only V8 (agent/launch.ts) protobufjs took 410-490 µs of CPU and this 200-270 µs
 * on a loaded machine, before the name cache (tests/bench/codec.bench.ts prints both). tests/unit/telemetry-writer.test.ts
 * checks byte equality with protobufjs over generated messages, so a change to the .proto that
 * this file misses fails there. Returns null for what it does not cover (a time outside 0..2^53, a
 * fractional time, an enum value it does not know), which the caller encodes with protobufjs.
 */

import { QUALITIES, QUALITY_REASONS, type Quality, type QualityReason, type Sample } from './values.js';

/** Wire numbers of the enums (faultline.proto: Quality from 0, QualityReason from 1, 0 = none). */
const QUALITY_NUMBER = new Map<Quality, number>(QUALITIES.map((q, i) => [q, i]));
const REASON_NUMBER = new Map<QualityReason, number>(QUALITY_REASONS.map((r, i) => [r, i + 1]));

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

/**
 * UTF-8 bytes of the names written (parameters, device, site: a small, fixed set per agent), kept
 * so that every batch copies them instead of encoding and bounds-checking each one again.
 * Cleared when it holds more than UTF8_CACHE_MAX (names that keep changing).
 */
const utf8Cache = new Map<string, Buffer>();
const UTF8_CACHE_MAX = 10_000;
function utf8(text: string): Buffer {
  let bytes = utf8Cache.get(text);
  if (bytes === undefined) {
    if (utf8Cache.size >= UTF8_CACHE_MAX) utf8Cache.clear();
    bytes = Buffer.from(text, 'utf8');
    utf8Cache.set(text, bytes);
  }
  return bytes;
}

const coverable = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_SAFE;

/** Field tags: (field number << 3) | wire type. */
const TAG = { device: 0x0a, site: 0x12, samples: 0x1a, parameter: 0x0a, value: 0x11, quality: 0x18, timeMs: 0x20, text: 0x2a, reason: 0x30 } as const;

/** The encoded Telemetry, or null when a sample holds a value this writer leaves to protobufjs. */
export function writeTelemetry(device: string, site: string, samples: readonly Sample[]): Uint8Array | null {
  const deviceUtf8 = utf8(device);
  const siteUtf8 = utf8(site);
  const deviceBytes = deviceUtf8.length;
  const siteBytes = siteUtf8.length;
  let total = (deviceBytes > 0 ? 1 + varintSize(deviceBytes) + deviceBytes : 0) + (siteBytes > 0 ? 1 + varintSize(siteBytes) + siteBytes : 0);
  // Per sample: its byte length, the byte lengths of its two strings, its quality and reason numbers.
  const sizes = new Array<number>(samples.length * 5);
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
    const quality = QUALITY_NUMBER.get(s.quality);
    const reason = s.reason === undefined ? 0 : REASON_NUMBER.get(s.reason);
    if (quality === undefined || reason === undefined) return null;
    const p = utf8(s.parameter).length;
    const tx = s.text === undefined || s.text === '' ? 0 : Buffer.byteLength(s.text);
    let n = 0;
    if (p > 0) n += 1 + varintSize(p) + p;
    if (!Object.is(s.value, 0)) n += 9;
    if (quality !== 0) n += 1 + varintSize(quality);
    if (s.timeMs !== 0) n += 1 + lastTimeSize;
    if (tx > 0) n += 1 + varintSize(tx) + tx;
    if (reason !== 0) n += 1 + varintSize(reason);
    sizes[5 * i] = n;
    sizes[5 * i + 1] = p;
    sizes[5 * i + 2] = tx;
    sizes[5 * i + 3] = quality;
    sizes[5 * i + 4] = reason;
    total += 1 + varintSize(n) + n;
  }
  const buf = Buffer.allocUnsafe(total);
  // Doubles through a DataView (a V8 builtin): Buffer.writeDoubleLE checks its bounds in Node's JS, per sample.
  const view = new DataView(buf.buffer, buf.byteOffset, total);
  let at = 0;
  if (deviceBytes > 0) {
    buf[at++] = TAG.device;
    at = writeVarint(buf, at, deviceBytes);
    buf.set(deviceUtf8, at);
    at += deviceBytes;
  }
  if (siteBytes > 0) {
    buf[at++] = TAG.site;
    at = writeVarint(buf, at, siteBytes);
    buf.set(siteUtf8, at);
    at += siteBytes;
  }
  let timeAt = -1;
  let timeEnd = -1;
  lastTime = Number.NaN;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    buf[at++] = TAG.samples;
    at = writeVarint(buf, at, sizes[5 * i]!);
    const p = sizes[5 * i + 1]!;
    if (p > 0) {
      buf[at++] = TAG.parameter;
      at = writeVarint(buf, at, p);
      buf.set(utf8(s.parameter), at);
      at += p;
    }
    if (!Object.is(s.value, 0)) {
      buf[at++] = TAG.value;
      view.setFloat64(at, s.value, true);
      at += 8;
    }
    const quality = sizes[5 * i + 3]!;
    if (quality !== 0) {
      buf[at++] = TAG.quality;
      at = writeVarint(buf, at, quality);
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
    const tx = sizes[5 * i + 2]!;
    if (tx > 0) {
      buf[at++] = TAG.text;
      at = writeVarint(buf, at, tx);
      at += buf.write(s.text!, at, 'utf8');
    }
    const reason = sizes[5 * i + 4]!;
    if (reason !== 0) {
      buf[at++] = TAG.reason;
      at = writeVarint(buf, at, reason);
    }
  }
  return buf;
}
