/** Domain value types shared by agent and collector; the codec maps them to the wire enums. */

export const SOURCES = ['modbus', 'system', 'log'] as const;
export type Source = (typeof SOURCES)[number];

export const CATEGORIES = ['hardware', 'software', 'link', 'config', 'operation', 'permission'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Ordered from worst to mildest. */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TRANSITIONS = ['raise', 'clear'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** Wire order (protocol/faultline.proto Quality). bad: no usable value; uncertain: a value not to be trusted; stale: not refreshed. */
export const QUALITIES = ['good', 'bad', 'stale', 'uncertain'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Why a sample is not good (protocol/faultline.proto QualityReason, without NONE). */
export const QUALITY_REASONS = ['exception', 'timeout', 'link', 'decode', 'out-of-range', 'unsupported', 'overdue'] as const;
export type QualityReason = (typeof QUALITY_REASONS)[number];

export interface Sample {
  parameter: string;
  value: number;
  quality: Quality;
  timeMs: number;
  /** Why it is not good; absent for good samples (and from older agents). */
  reason?: QualityReason;
  /** Only for text parameters (`string` registers). */
  text?: string;
}

export interface ParameterInfo {
  name: string;
  unit: string;
  description: string;
  writable: boolean;
  source: 'modbus' | 'system';
  /** For a writable parameter: the values a write may set (engineering units). */
  writeRange?: { min: number; max: number };
  /** How often the agent reads it, in ms (absent: unknown, e.g. an older agent). */
  pollIntervalMs?: number;
}

export interface FaultEvent {
  id: string;
  device: string;
  site: string;
  seq: number;
  timeMs: number;
  source: Source;
  category: Category;
  code: string;
  severity: Severity;
  transition: Transition;
  message: string;
  snapshot: Sample[];
  logExcerpt: string[];
  labels: Record<string, string>;
  adapterId: string;
  remedy: string;
}

export interface DeviceBirth {
  device: string;
  site: string;
  adapterId: string;
  model: string;
  firmware: string;
  agentVersion: string;
  parameters: ParameterInfo[];
  timeMs: number;
  sessionId: string;
  /** How often telemetry batches leave the agent, in ms (absent: unknown or telemetry off). */
  telemetryIntervalMs?: number;
  /** Poll intervals without news after which a value is stale (absent: unknown). */
  staleFactor?: number;
}

export interface DeviceDeath {
  device: string;
  site: string;
  timeMs: number;
  sessionId: string;
  reason: string;
}

export interface Telemetry {
  device: string;
  site: string;
  samples: Sample[];
}

/** A register the device refused with a Modbus exception, or never answered, when read alone (see faultline.proto). */
export interface UnsupportedRegister {
  parameter: string;
  /** The Modbus exception code (01-04), or UNSUPPORTED_NO_REPLY (0): the read timed out. */
  exceptionCode: number;
  sinceMs: number;
}

/** exceptionCode of an unsupported register the device never answers (no Modbus exception is 0). */
export const UNSUPPORTED_NO_REPLY = 0;

export interface AgentStatus {
  device: string;
  site: string;
  timeMs: number;
  uptimeS: number;
  /** Messages of this device waiting in the outbox, all kinds. */
  outboxDepth: number;
  pollErrors: number;
  eventsPublished: number;
  outboxEvents: number;
  outboxTelemetry: number;
  outboxStatus: number;
  outboxBytes: number;
  evictedEvents: number;
  evictedTelemetry: number;
  evictedStatus: number;
  drops: number;
  connects: number;
  disconnects: number;
  resent: number;
  rejected: number;
  /** Registers the device does not implement (answered with an exception); not polled but re-probed. */
  unsupported: UnsupportedRegister[];
  /** Fault events the broker refused (MQTT 5 reason >= 0x80), kept in the outbox and sent again after a reconnect. */
  deadLetters: number;
  /** Self-metrics (see faultline.proto); 0 from older agents. */
  polls: number;
  pollTimeouts: number;
  pollExceptions: number;
  pollLinkErrors: number;
  outboxOldestAgeS: number;
  logLinesClipped: number;
  /** Fault events the broker acknowledged but no collector has receipted yet; 0 from older agents. */
  unreceipted?: number;
  /** Fault events deleted from the outbox on a receipt since the agent started. */
  receipted?: number;
  /** Publishes repeated because no receipt came in time (also in `resent`). */
  resentUnreceipted?: number;
  /** Of `rejected`: telemetry batches and status messages the broker refused (removed, not resent); 0 from older agents. */
  rejectedTelemetry?: number;
  rejectedStatus?: number;
}

/** An event the collector dropped as bad input: it will never be stored (see faultline.proto Receipt). */
export interface RefusedEvent {
  /** SHA-256 of the payload bytes as published. */
  payloadSha256: Uint8Array;
  /** Empty when the payload did not decode. */
  id: string;
  code: string;
  message: string;
}

/** The collector's word that it holds these events of one device (kind "receipt", collector -> device). */
export interface Receipt {
  device: string;
  site: string;
  timeMs: number;
  /** Stored: committed now or already stored before. */
  eventIds: string[];
  refused: RefusedEvent[];
}

export interface ParameterValue {
  name: string;
  value: number;
}

export type RpcOp =
  | { kind: 'read'; names: string[] }
  | { kind: 'describe' }
  | { kind: 'write'; values: ParameterValue[]; signature: string }
  | { kind: 'logs'; lines: number };

export interface RpcRequest {
  id: string;
  deadlineMs: number;
  op: RpcOp;
}

/** What became of a write: applied, not applied, or unknown (the device did not answer and could not be read back). */
export const WRITE_OUTCOMES = ['applied', 'not-applied', 'unknown'] as const;
export type WriteOutcome = (typeof WRITE_OUTCOMES)[number];

export interface RpcResponse {
  id: string;
  ok: boolean;
  /** Set on every answer to a write. */
  writeOutcome?: WriteOutcome;
  error?: { code: string; message: string };
  values: Sample[];
  description?: DeviceBirth;
  logLines?: string[];
}
