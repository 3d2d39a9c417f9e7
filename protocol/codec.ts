/**
 * Encode and decode the wire messages generated from faultline.proto, mapping wire enums to
 * the domain's string unions and validating what arrives. Bad bytes or missing fields throw a
 * FaultlineError naming the message and the field.
 */
import { faultline } from './gen/faultline.js';
import { FaultlineError } from './errors.js';
import { writeTelemetry } from './telemetry-writer.js';
import {
  CATEGORIES, QUALITIES, QUALITY_REASONS, SEVERITIES, SOURCES, TRANSITIONS, WRITE_OUTCOMES,
  type AgentStatus, type DeviceBirth, type DeviceDeath, type FaultEvent, type ParameterInfo,
  type RpcRequest, type RpcResponse, type Sample, type Telemetry, type Receipt,
} from './values.js';

const pb = faultline.v1;

// Wire enum value n (1-based, 0 = unspecified) <-> domain list index n-1.
function enumToWire<T extends string>(list: readonly T[], value: T): number {
  return list.indexOf(value) + 1;
}

function enumFromWire<T extends string>(list: readonly T[], n: number | null | undefined, where: string): T {
  const v = n ? list[n - 1] : undefined;
  if (v === undefined) invalid(where, `unknown or unspecified enum value ${String(n)}`);
  return v;
}

function invalid(where: string, why: string): never {
  throw new FaultlineError('FL_ERR_PROTO_INVALID', `invalid ${where}: ${why}`, { context: { field: where } });
}

function required(where: string, s: string | null | undefined): string {
  if (!s) invalid(where, 'required field is empty');
  return s;
}

function decodeWith<T>(name: string, bytes: Uint8Array, decode: (b: Uint8Array) => T): T {
  try {
    return decode(bytes);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_PROTO_DECODE', `cannot decode ${name} (${bytes.length} bytes): ${(cause as Error).message}`, {
      cause, context: { message: name, bytes: bytes.length },
      hint: 'the sender must encode faultline.v1 protobuf messages from protocol/faultline.proto',
    });
  }
}

/** 64-bit fields decode to Long objects (protobufjs bundles long.js); faultline's values (ms times, counters) fit in 2^53. */
function num(n: unknown): number {
  if (typeof n === 'number') return n;
  if (typeof n === 'object' && n !== null && 'toNumber' in n && typeof n.toNumber === 'function') return Number(n.toNumber());
  return 0;
}

function sampleToWire(s: Sample): faultline.v1.ISample {
  return {
    parameter: s.parameter, value: s.value, quality: QUALITIES.indexOf(s.quality), timeMs: s.timeMs, text: s.text ?? '',
    reason: s.reason ? enumToWire(QUALITY_REASONS, s.reason) : 0,
  };
}

function sampleFromWire(s: faultline.v1.ISample, where: string): Sample {
  const quality = QUALITIES[s.quality ?? 0];
  if (quality === undefined) invalid(`${where}.quality`, `unknown value ${String(s.quality)}`);
  const sample: Sample = { parameter: required(`${where}.parameter`, s.parameter), value: num(s.value), quality, timeMs: num(s.timeMs) };
  if (s.text) sample.text = s.text;
  // A reason this receiver does not know yet (a newer agent) is left out, not a reason to drop the message.
  const reason = s.reason ? QUALITY_REASONS[s.reason - 1] : undefined;
  if (reason) sample.reason = reason;
  return sample;
}

function paramFromWire(p: faultline.v1.IParameterInfo, where: string): ParameterInfo {
  const info: ParameterInfo = {
    name: required(`${where}.name`, p.name), unit: p.unit ?? '', description: p.description ?? '',
    writable: p.writable === true, source: p.source === 'system' ? 'system' : 'modbus',
  };
  const [min, max] = [p.writeMin, p.writeMax];
  if (typeof min === 'number' || typeof max === 'number') {
    if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
      invalid(`${where}.writeMin/writeMax`, `a write range needs both ends, min not above max (got ${String(min)}..${String(max)})`);
    }
    info.writeRange = { min, max };
  }
  if (typeof p.pollIntervalMs === 'number' && p.pollIntervalMs > 0) info.pollIntervalMs = p.pollIntervalMs;
  return info;
}

function paramToWire(p: ParameterInfo): faultline.v1.IParameterInfo {
  const { writeRange, ...rest } = p;
  return writeRange ? { ...rest, writeMin: writeRange.min, writeMax: writeRange.max } : rest;
}

export function encodeFaultEvent(e: FaultEvent): Uint8Array {
  return pb.FaultEvent.encode({
    id: e.id, device: e.device, site: e.site, seq: e.seq, timeMs: e.timeMs,
    source: enumToWire(SOURCES, e.source), category: enumToWire(CATEGORIES, e.category), code: e.code,
    severity: enumToWire(SEVERITIES, e.severity), transition: enumToWire(TRANSITIONS, e.transition),
    message: e.message, snapshot: e.snapshot.map(sampleToWire), logExcerpt: e.logExcerpt, labels: e.labels,
    adapterId: e.adapterId, remedy: e.remedy,
  }).finish();
}

export function decodeFaultEvent(bytes: Uint8Array): FaultEvent {
  const m = decodeWith('FaultEvent', bytes, (b) => pb.FaultEvent.decode(b));
  const seq = num(m.seq);
  if (seq < 1) invalid('FaultEvent.seq', 'must be 1 or more');
  return {
    id: required('FaultEvent.id', m.id), device: required('FaultEvent.device', m.device), site: required('FaultEvent.site', m.site),
    seq, timeMs: num(m.timeMs),
    source: enumFromWire(SOURCES, m.source, 'FaultEvent.source'),
    category: enumFromWire(CATEGORIES, m.category, 'FaultEvent.category'),
    code: required('FaultEvent.code', m.code),
    severity: enumFromWire(SEVERITIES, m.severity, 'FaultEvent.severity'),
    transition: enumFromWire(TRANSITIONS, m.transition, 'FaultEvent.transition'),
    message: m.message ?? '',
    snapshot: (m.snapshot ?? []).map((s, i) => sampleFromWire(s, `FaultEvent.snapshot[${i}]`)),
    logExcerpt: m.logExcerpt ?? [], labels: { ...(m.labels ?? {}) }, adapterId: m.adapterId ?? '', remedy: m.remedy ?? '',
  };
}

function birthToWire(b: DeviceBirth): faultline.v1.IDeviceBirth {
  return { ...b, parameters: b.parameters.map(paramToWire) };
}

export function encodeBirth(b: DeviceBirth): Uint8Array {
  return pb.DeviceBirth.encode(birthToWire(b)).finish();
}

export function decodeBirth(bytes: Uint8Array): DeviceBirth {
  const m = decodeWith('DeviceBirth', bytes, (b) => pb.DeviceBirth.decode(b));
  return {
    device: required('DeviceBirth.device', m.device), site: required('DeviceBirth.site', m.site),
    adapterId: m.adapterId ?? '', model: m.model ?? '', firmware: m.firmware ?? '', agentVersion: m.agentVersion ?? '',
    parameters: (m.parameters ?? []).map((p, i) => paramFromWire(p, `DeviceBirth.parameters[${i}]`)),
    timeMs: num(m.timeMs), sessionId: m.sessionId ?? '',
    ...(typeof m.telemetryIntervalMs === 'number' && m.telemetryIntervalMs > 0 ? { telemetryIntervalMs: m.telemetryIntervalMs } : {}),
    ...(typeof m.staleFactor === 'number' && Number.isFinite(m.staleFactor) && m.staleFactor > 0 ? { staleFactor: m.staleFactor } : {}),
  };
}

export function encodeDeath(d: DeviceDeath): Uint8Array {
  return pb.DeviceDeath.encode({ ...d }).finish();
}

export function decodeDeath(bytes: Uint8Array): DeviceDeath {
  const m = decodeWith('DeviceDeath', bytes, (b) => pb.DeviceDeath.decode(b));
  return {
    device: required('DeviceDeath.device', m.device), site: required('DeviceDeath.site', m.site),
    timeMs: num(m.timeMs), sessionId: m.sessionId ?? '', reason: m.reason ?? '',
  };
}

export function encodeTelemetry(t: Telemetry): Uint8Array {
  // The agent's every-second message: written directly (telemetry-writer.ts), protobufjs for what that leaves out.
  return writeTelemetry(t.device, t.site, t.samples) ?? pb.Telemetry.encode({ device: t.device, site: t.site, samples: t.samples.map(sampleToWire) }).finish();
}

export function decodeTelemetry(bytes: Uint8Array): Telemetry {
  const m = decodeWith('Telemetry', bytes, (b) => pb.Telemetry.decode(b));
  return {
    device: required('Telemetry.device', m.device), site: required('Telemetry.site', m.site),
    samples: (m.samples ?? []).map((s, i) => sampleFromWire(s, `Telemetry.samples[${i}]`)),
  };
}

export function encodeStatus(s: AgentStatus): Uint8Array {
  return pb.AgentStatus.encode({ ...s }).finish();
}

export function decodeStatus(bytes: Uint8Array): AgentStatus {
  const m = decodeWith('AgentStatus', bytes, (b) => pb.AgentStatus.decode(b));
  return {
    device: required('AgentStatus.device', m.device), site: required('AgentStatus.site', m.site), timeMs: num(m.timeMs),
    uptimeS: num(m.uptimeS), outboxDepth: num(m.outboxDepth), pollErrors: num(m.pollErrors), eventsPublished: num(m.eventsPublished),
    outboxEvents: num(m.outboxEvents), outboxTelemetry: num(m.outboxTelemetry), outboxStatus: num(m.outboxStatus), outboxBytes: num(m.outboxBytes),
    evictedEvents: num(m.evictedEvents), evictedTelemetry: num(m.evictedTelemetry), evictedStatus: num(m.evictedStatus),
    drops: num(m.drops), connects: num(m.connects), disconnects: num(m.disconnects), resent: num(m.resent), rejected: num(m.rejected),
    unsupported: (m.unsupported ?? []).map((u, i) => ({
      parameter: required(`AgentStatus.unsupported[${i}].parameter`, u.parameter), exceptionCode: u.exceptionCode ?? 0, sinceMs: num(u.sinceMs),
    })),
    deadLetters: num(m.deadLetters), polls: num(m.polls), pollTimeouts: num(m.pollTimeouts), pollExceptions: num(m.pollExceptions),
    pollLinkErrors: num(m.pollLinkErrors), outboxOldestAgeS: num(m.outboxOldestAgeS), logLinesClipped: num(m.logLinesClipped),
    unreceipted: num(m.unreceipted), receipted: num(m.receipted), resentUnreceipted: num(m.resentUnreceipted),
    rejectedTelemetry: num(m.rejectedTelemetry), rejectedStatus: num(m.rejectedStatus),
  };
}

export function encodeRpcRequest(r: RpcRequest): Uint8Array {
  const op = r.op.kind === 'read' ? { read: { names: r.op.names } }
    : r.op.kind === 'write' ? { write: { values: r.op.values, signature: r.op.signature } }
      : r.op.kind === 'logs' ? { logs: { lines: r.op.lines } }
        : { describe: {} };
  return pb.RpcRequest.encode({ id: r.id, deadlineMs: r.deadlineMs, ...op }).finish();
}

export function decodeRpcRequest(bytes: Uint8Array): RpcRequest {
  const m = decodeWith('RpcRequest', bytes, (b) => pb.RpcRequest.decode(b));
  const id = required('RpcRequest.id', m.id);
  if (m.op === 'read') return { id, deadlineMs: num(m.deadlineMs), op: { kind: 'read', names: m.read?.names ?? [] } };
  if (m.op === 'describe') return { id, deadlineMs: num(m.deadlineMs), op: { kind: 'describe' } };
  if (m.op === 'logs') {
    const lines = num(m.logs?.lines) || 100;
    if (lines > 1000) invalid('RpcRequest.logs.lines', 'at most 1000 lines');
    return { id, deadlineMs: num(m.deadlineMs), op: { kind: 'logs', lines } };
  }
  if (m.op === 'write') {
    const values = (m.write?.values ?? []).map((v, i) => ({ name: required(`RpcRequest.write.values[${i}].name`, v.name), value: num(v.value) }));
    if (values.length === 0) invalid('RpcRequest.write.values', 'at least one parameter value is required');
    return { id, deadlineMs: num(m.deadlineMs), op: { kind: 'write', values, signature: m.write?.signature ?? '' } };
  }
  return invalid('RpcRequest.op', 'no operation set (read or describe)');
}

export function encodeRpcResponse(r: RpcResponse): Uint8Array {
  return pb.RpcResponse.encode({
    id: r.id, ok: r.ok, error: r.error ?? null, values: r.values.map(sampleToWire), description: r.description ? birthToWire(r.description) : null, logLines: r.logLines ?? [],
    writeOutcome: r.writeOutcome ? enumToWire(WRITE_OUTCOMES, r.writeOutcome) : 0,
  }).finish();
}

export function decodeRpcResponse(bytes: Uint8Array): RpcResponse {
  const m = decodeWith('RpcResponse', bytes, (b) => pb.RpcResponse.decode(b));
  const res: RpcResponse = {
    id: required('RpcResponse.id', m.id), ok: m.ok === true,
    values: (m.values ?? []).map((s, i) => sampleFromWire(s, `RpcResponse.values[${i}]`)),
  };
  if (m.error) res.error = { code: m.error.code ?? '', message: m.error.message ?? '' };
  if (m.description) res.description = decodeBirth(pb.DeviceBirth.encode(m.description).finish());
  if (m.logLines && m.logLines.length > 0) res.logLines = m.logLines;
  if (m.writeOutcome) res.writeOutcome = enumFromWire(WRITE_OUTCOMES, m.writeOutcome, 'RpcResponse.writeOutcome');
  return res;
}

export function encodeReceipt(r: Receipt): Uint8Array {
  return pb.Receipt.encode({ ...r }).finish();
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  const m = decodeWith('Receipt', bytes, (b) => pb.Receipt.decode(b));
  return {
    device: required('Receipt.device', m.device), site: required('Receipt.site', m.site), timeMs: num(m.timeMs),
    eventIds: (m.eventIds ?? []).filter((id) => id.length > 0),
    refused: (m.refused ?? []).map((r, i) => {
      const digest = r.payloadSha256 ?? new Uint8Array();
      if (digest.length !== 32) invalid(`Receipt.refused[${i}].payloadSha256`, `must be 32 bytes, got ${digest.length}`);
      return { payloadSha256: digest, id: r.id ?? '', code: r.code ?? '', message: r.message ?? '' };
    }),
  };
}
