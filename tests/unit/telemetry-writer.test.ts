/**
 * protocol/telemetry-writer.ts writes the same bytes as protobufjs's generated Telemetry encoder
 * (the .proto is the source of truth), for generated messages: every quality and reason, text
 * samples, zero and negative zero, NaN and infinities, non-ASCII names, empty strings; and leaves
 * to protobufjs what it does not cover (negative or fractional times), which then still decodes.
 */
import fc from 'fast-check';
import t from 'tap';
import { faultline } from '../../protocol/gen/faultline.js';
import { decodeTelemetry, encodeTelemetry } from '../../protocol/codec.js';
import { writeTelemetry } from '../../protocol/telemetry-writer.js';
import { QUALITIES, QUALITY_REASONS, type Sample } from '../../protocol/values.js';

/** A sample as the wire has it: enums as numbers, no text as ''. */
interface WireSample { parameter: string; value: number; quality: number; timeMs: number; text: string; reason: number }

const protobufjs = (device: string, site: string, samples: WireSample[]): Buffer =>
  Buffer.from(faultline.v1.Telemetry.encode({ device, site, samples }).finish());

/** The domain sample a wire sample stands for (what the writer is given). */
const fromWire = (w: WireSample): Sample => ({
  parameter: w.parameter, value: w.value, quality: QUALITIES[w.quality]!, timeMs: w.timeMs,
  ...(w.text === '' ? {} : { text: w.text }), ...(w.reason === 0 ? {} : { reason: QUALITY_REASONS[w.reason - 1]! }),
});

const wireSample = fc.record({
  parameter: fc.oneof(fc.constantFrom('', 'p0', 'output_frequency', 'disk_used:/', 'température_°C'), fc.string({ unit: 'grapheme', maxLength: 40 })),
  value: fc.oneof(fc.double(), fc.constantFrom(0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
  quality: fc.integer({ min: 0, max: QUALITIES.length - 1 }),
  timeMs: fc.oneof(fc.constantFrom(0, 1, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 })),
  text: fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 300 })),
  reason: fc.integer({ min: 0, max: QUALITY_REASONS.length }),
});

t.test('the same bytes as protobufjs for generated telemetry', async (t) => {
  let checked = 0;
  fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.array(wireSample, { maxLength: 120 }), (device, site, samples) => {
    const ours = writeTelemetry(device, site, samples.map(fromWire));
    if (ours === null) return false;
    checked++;
    return Buffer.from(ours).equals(protobufjs(device, site, samples));
  }), { numRuns: 400 });
  t.equal(checked, 400, '400 generated messages compared byte for byte');
});

t.test('a 100-register batch as the agent sends it: equal bytes, and it decodes to what was encoded', async (t) => {
  const samples: Sample[] = Array.from({ length: 100 }, (_, i) => ({ parameter: `p${i}`, value: i * 0.1, quality: i % 7 === 0 ? 'bad' : 'good', timeMs: 1_765_000_000_000 + i, ...(i % 7 === 0 ? { reason: 'timeout' as const } : {}) }));
  samples.push({ parameter: 'serial', value: 0, quality: 'good', timeMs: 1_765_000_000_000, text: 'SN-0042' });
  const bytes = encodeTelemetry({ device: 'bench-1', site: 'bench', samples });
  const wire = samples.map((s) => ({ parameter: s.parameter, value: s.value, quality: QUALITIES.indexOf(s.quality), timeMs: s.timeMs, text: s.text ?? '', reason: s.reason ? QUALITY_REASONS.indexOf(s.reason) + 1 : 0 }));
  t.ok(Buffer.from(bytes).equals(protobufjs('bench-1', 'bench', wire)), 'byte equal to protobufjs');
  t.same(decodeTelemetry(bytes), { device: 'bench-1', site: 'bench', samples });
});

t.test('what it does not cover goes to protobufjs', async (t) => {
  for (const timeMs of [-1, 1.5, 2 ** 60]) {
    t.equal(writeTelemetry('d', 's', [{ parameter: 'p', value: 1, quality: 'good', timeMs }]), null, `time ${timeMs}: not written here`);
  }
  t.equal(writeTelemetry('d', 's', [{ parameter: 'p', value: 1, quality: 'wobbly' as Sample['quality'], timeMs: 1 }]), null, 'a quality it does not know: not written here');
  const bytes = encodeTelemetry({ device: 'd', site: 's', samples: [{ parameter: 'p', value: 1, quality: 'good', timeMs: -5 }] });
  t.equal(decodeTelemetry(bytes).samples[0]!.timeMs, -5, 'a negative time still encodes (by protobufjs) and decodes');
});
