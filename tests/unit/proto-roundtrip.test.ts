import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import t from 'tap';
import {
  decodeBirth, decodeDeath, decodeFaultEvent, decodeReceipt, decodeRpcRequest, decodeRpcResponse, decodeStatus, decodeTelemetry,
  encodeBirth, encodeDeath, encodeFaultEvent, encodeReceipt, encodeRpcRequest, encodeRpcResponse, encodeStatus, encodeTelemetry,
} from '../../protocol/codec.js';
import type { DeviceBirth, FaultEvent } from '../../protocol/values.js';

const event: FaultEvent = {
  id: '0193a1b2-0000-7000-8000-000000000001', device: 'drive-1', site: 'plant-a', seq: 42, timeMs: 1_763_000_000_123,
  source: 'modbus', category: 'hardware', code: 'vfd.overcurrent', severity: 'critical', transition: 'raise',
  message: 'Output overcurrent trip',
  snapshot: [{ parameter: 'motor_current', value: 38.5, quality: 'good', timeMs: 1_763_000_000_000 }, { parameter: 'run_state', value: 2, quality: 'stale', timeMs: 1_763_000_000_001 }],
  logExcerpt: ['E001 overcurrent', 'motor stopped'], labels: { register: 'fault_code', value: '1' }, adapterId: 'generic-vfd', remedy: 'Check the motor.',
};
const birth: DeviceBirth = {
  device: 'drive-1', site: 'plant-a', adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: '0.1.0',
  parameters: [
    { name: 'motor_current', unit: 'A', description: 'Motor current', writable: false, source: 'modbus' },
    { name: 'frequency_setpoint', unit: 'Hz', description: 'Set point', writable: true, source: 'modbus', writeRange: { min: 0, max: 120 } },
    { name: 'offset', unit: '', description: 'Offset', writable: true, source: 'modbus', writeRange: { min: -5, max: 0 } },
    { name: 'system.cpu_load', unit: '%', description: 'CPU', writable: false, source: 'system' },
  ],
  timeMs: 1_763_000_000_000, sessionId: 's-1',
};

t.test('every message survives encode -> decode unchanged', async (t) => {
  t.same(decodeFaultEvent(encodeFaultEvent(event)), event, 'FaultEvent');
  t.same(decodeBirth(encodeBirth(birth)), birth, 'DeviceBirth');
  const timed: DeviceBirth = { ...birth, parameters: birth.parameters.map((p) => ({ ...p, pollIntervalMs: 250 })), telemetryIntervalMs: 1000, staleFactor: 2.5 };
  t.same(decodeBirth(encodeBirth(timed)), timed, 'DeviceBirth with poll intervals, telemetry interval and stale factor');
  const death = { device: 'drive-1', site: 'plant-a', timeMs: 0, sessionId: 's-1', reason: 'connection lost' };
  t.same(decodeDeath(encodeDeath(death)), death, 'DeviceDeath');
  const tel = {
    device: 'drive-1', site: 'plant-a', samples: [...event.snapshot,
      { parameter: 'heatsink_temperature', value: 3276.7, quality: 'uncertain' as const, reason: 'out-of-range' as const, timeMs: 5 },
      { parameter: 'motor_current', value: 0, quality: 'bad' as const, reason: 'timeout' as const, timeMs: 6 },
      { parameter: 'dc_bus_voltage', value: 540, quality: 'stale' as const, reason: 'overdue' as const, timeMs: 7 }],
  };
  t.same(decodeTelemetry(encodeTelemetry(tel)), tel, 'Telemetry');
  const status = {
    device: 'drive-1', site: 'plant-a', timeMs: 5, uptimeS: 12.5, outboxDepth: 3, pollErrors: 2, eventsPublished: 9,
    outboxEvents: 1, outboxTelemetry: 2, outboxStatus: 0, outboxBytes: 4096, evictedEvents: 10, evictedTelemetry: 2 ** 40, evictedStatus: 12,
    drops: 13, connects: 14, disconnects: 15, resent: 16, rejected: 17,
    unsupported: [{ parameter: 'accel_time', exceptionCode: 2, sinceMs: 1_700_000_000_000 }], deadLetters: 18,
    polls: 19, pollTimeouts: 20, pollExceptions: 21, pollLinkErrors: 22, outboxOldestAgeS: 23.5, logLinesClipped: 24,
    unreceipted: 25, receipted: 26, resentUnreceipted: 27, rejectedTelemetry: 28, rejectedStatus: 29,
  };
  t.same(decodeStatus(encodeStatus(status)), status, 'AgentStatus');
  const fromOlderAgent = protobuf.parse(readFileSync(new URL('../../../protocol/faultline.proto', import.meta.url), 'utf8')).root.lookupType('faultline.v1.AgentStatus');
  const old = decodeStatus(fromOlderAgent.encode(fromOlderAgent.fromObject({ device: 'drive-1', site: 'plant-a', outboxDepth: 3 })).finish());
  t.same([old.outboxDepth, old.outboxEvents, old.evictedEvents, old.connects], [3, 0, 0, 0], 'a status from an older agent decodes with zero counters');
  const read = { id: 'r1', deadlineMs: 99, op: { kind: 'read' as const, names: ['motor_current'] } };
  t.same(decodeRpcRequest(encodeRpcRequest(read)), read, 'RpcRequest read');
  const describe = { id: 'r2', deadlineMs: 0, op: { kind: 'describe' as const } };
  t.same(decodeRpcRequest(encodeRpcRequest(describe)), describe, 'RpcRequest describe');
  const res = { id: 'r1', ok: false, error: { code: 'FL_ERR_RPC_TIMEOUT', message: 'late' }, values: event.snapshot };
  t.same(decodeRpcResponse(encodeRpcResponse(res)), res, 'RpcResponse error');
  const res2 = { id: 'r2', ok: true, values: [], description: birth };
  t.same(decodeRpcResponse(encodeRpcResponse(res2)), res2, 'RpcResponse describe');
  for (const writeOutcome of ['applied', 'not-applied', 'unknown'] as const) {
    const w = { id: 'w', ok: writeOutcome === 'applied', writeOutcome, values: event.snapshot };
    t.same(decodeRpcResponse(encodeRpcResponse(w)), w, `RpcResponse write ${writeOutcome}`);
  }
});

t.test('Receipt: stored ids and refusals survive encode -> decode; a refusal without a 32-byte digest is a typed error', async (t) => {
  const receipt = {
    device: 'drive-1', site: 'plant-a', timeMs: 1_763_000_000_500, eventIds: [event.id, '0193a1b2-0000-7000-8000-000000000002'],
    refused: [{ payloadSha256: Buffer.alloc(32, 7), id: '', code: 'FL_ERR_PROTO_DECODE', message: 'cannot decode FaultEvent' }],
  };
  t.same(decodeReceipt(encodeReceipt(receipt)), receipt, 'Receipt');
  const empty = { device: 'drive-1', site: 'plant-a', timeMs: 0, eventIds: [], refused: [] };
  t.same(decodeReceipt(encodeReceipt(empty)), empty, 'an empty receipt');
  t.throws(() => decodeReceipt(encodeReceipt({ ...empty, refused: [{ payloadSha256: Buffer.alloc(5), id: '', code: 'x', message: '' }] })), { code: 'FL_ERR_PROTO_INVALID' });
  t.throws(() => decodeReceipt(encodeReceipt({ ...empty, device: '' })), { code: 'FL_ERR_PROTO_INVALID' });
  t.throws(() => decodeReceipt(Buffer.from([0xff, 0xff, 0xff])), { code: 'FL_ERR_PROTO_DECODE' });
});

t.test('a message from a newer sender with unknown fields still decodes', async (t) => {
  const proto = readFileSync(new URL('../../../protocol/faultline.proto', import.meta.url), 'utf8');
  const newer = proto.replace('string remedy = 16;', 'string remedy = 16;\n  string future_text = 99;\n  repeated Sample future_samples = 100;\n  fixed64 future_number = 101;');
  t.not(newer, proto, 'the test schema really has extra fields');
  const type = protobuf.parse(newer).root.lookupType('faultline.v1.FaultEvent');
  const bytes = type.encode(type.fromObject({
    id: event.id, device: event.device, site: event.site, seq: event.seq, timeMs: event.timeMs, source: 1, category: 1,
    code: event.code, severity: 1, transition: 1, message: event.message, futureText: 'from the future',
    futureSamples: [{ parameter: 'x', value: 1 }], futureNumber: 7, remedy: event.remedy, adapterId: event.adapterId,
  })).finish();
  const decoded = decodeFaultEvent(bytes);
  t.equal(decoded.id, event.id);
  t.equal(decoded.code, 'vfd.overcurrent');
  t.equal(decoded.remedy, event.remedy, 'fields after the unknown ones are intact');
  t.equal(decoded.seq, 42);
  t.notOk('futureText' in decoded, 'unknown fields are skipped, not surfaced');
});

t.test('bad bytes and missing fields are typed errors that name the field', async (t) => {
  t.throws(() => decodeFaultEvent(Uint8Array.from([0x0a, 0xff, 0xff, 0xff])), { code: 'FL_ERR_PROTO_DECODE' }, 'truncated length');
  t.throws(() => decodeFaultEvent(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), { code: 'FL_ERR_PROTO_DECODE' }, 'garbage');
  t.throws(() => decodeFaultEvent(encodeFaultEvent({ ...event, id: '' })), { code: 'FL_ERR_PROTO_INVALID', message: /FaultEvent\.id/ });
  t.throws(() => decodeFaultEvent(encodeFaultEvent({ ...event, seq: 0 })), { code: 'FL_ERR_PROTO_INVALID', message: /FaultEvent\.seq/ });
  const type = protobuf.parse(readFileSync(new URL('../../../protocol/faultline.proto', import.meta.url), 'utf8')).root.lookupType('faultline.v1.FaultEvent');
  const noSeverity = type.encode(type.fromObject({ id: 'x', device: 'd', site: 's', seq: 1, source: 1, category: 1, code: 'a.b', transition: 1 })).finish();
  t.throws(() => decodeFaultEvent(noSeverity), { code: 'FL_ERR_PROTO_INVALID', message: /FaultEvent\.severity/ });
  t.throws(() => decodeRpcRequest(encodeRpcRequest({ id: 'x', deadlineMs: 0, op: { kind: 'read', names: [] } }).subarray(0, 3)), { code: /FL_ERR_PROTO/ });
  const birthType = protobuf.parse(readFileSync(new URL('../../../protocol/faultline.proto', import.meta.url), 'utf8')).root.lookupType('faultline.v1.DeviceBirth');
  const halfRange = birthType.encode(birthType.fromObject({ ...birth, parameters: [{ name: 'x', writable: true, writeMin: 5 }] })).finish();
  t.throws(() => decodeBirth(halfRange), { code: 'FL_ERR_PROTO_INVALID', message: /DeviceBirth\.parameters\[0\]\.writeMin\/writeMax: a write range needs both ends/ });
  const upsideDown = birthType.encode(birthType.fromObject({ ...birth, parameters: [{ name: 'x', writable: true, writeMin: 5, writeMax: 1 }] })).finish();
  t.throws(() => decodeBirth(upsideDown), { code: 'FL_ERR_PROTO_INVALID', message: /min not above max/ });
});
