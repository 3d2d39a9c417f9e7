/** SQLite rows <-> domain records. JSON columns hold what the store itself wrote. */
import type { AgentStatus, Category, ParameterInfo, Quality, QualityReason, Sample, Severity, Source, Transition } from '../../../protocol/values.js';
import type { DeviceState } from '../../core/devices/device-registry.js';
import type { Priority, StoredEvent, Ticket, TicketStatus } from '../../core/tickets/ticket.js';

export interface TicketRow {
  id: number;
  number: string;
  title: string;
  device: string;
  site: string;
  code: string;
  category: string;
  severity: string;
  priority: string;
  priority_reason: string;
  status: string;
  fault_active: number;
  occurrences: number;
  opened_at_ms: number;
  first_seen_ms: number;
  last_seen_ms: number;
  cleared_at_ms: number | null;
  closed_at_ms: number | null;
  snapshot: string;
  log_excerpt: string;
  remedy: string;
  adapter_id: string;
}

export interface EventRow {
  id: string;
  device: string;
  site: string;
  seq: number;
  time_ms: number;
  source: string;
  category: string;
  code: string;
  severity: string;
  transition: string;
  message: string;
  snapshot: string;
  log_excerpt: string;
  labels: string;
  adapter_id: string;
  remedy: string;
  received_ms: number;
  ticket_id: number | null;
}

export interface DeviceRow {
  site: string;
  device: string;
  online: number;
  model: string;
  firmware: string;
  adapter_id: string;
  agent_version: string;
  parameters: string;
  session_id: string;
  last_seen_ms: number;
  last_birth_ms: number | null;
  last_death_ms: number | null;
  last_death_reason: string;
  last_status: string | null;
}

export interface TelemetryRow {
  parameter: string;
  value: number;
  quality: string;
  reason: string | null;
  /** A number from SQLite; PostgreSQL's BIGINT may arrive as a string. */
  time_ms: number | string;
}

const json = <T>(s: string): T => JSON.parse(s) as T;

// Enum-like columns are written only from validated domain values, so reading them back is a cast.
export function ticketFromRow(r: TicketRow): Ticket {
  return {
    id: r.id, number: r.number, title: r.title, device: r.device, site: r.site, code: r.code,
    category: r.category as Category, severity: r.severity as Severity, priority: r.priority as Priority,
    priorityReason: r.priority_reason, status: r.status as TicketStatus, faultActive: r.fault_active === 1,
    occurrences: r.occurrences, openedAtMs: r.opened_at_ms, firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms,
    clearedAtMs: r.cleared_at_ms, closedAtMs: r.closed_at_ms, snapshot: json<Sample[]>(r.snapshot),
    logExcerpt: json<string[]>(r.log_excerpt), remedy: r.remedy, adapterId: r.adapter_id,
  };
}

export function eventFromRow(r: EventRow): StoredEvent {
  return {
    id: r.id, device: r.device, site: r.site, seq: r.seq, timeMs: r.time_ms, source: r.source as Source,
    category: r.category as Category, code: r.code, severity: r.severity as Severity, transition: r.transition as Transition,
    message: r.message, snapshot: json<Sample[]>(r.snapshot), logExcerpt: json<string[]>(r.log_excerpt),
    labels: json<Record<string, string>>(r.labels), adapterId: r.adapter_id, remedy: r.remedy,
    receivedMs: r.received_ms, ticketId: r.ticket_id,
  };
}

export function deviceFromRow(r: DeviceRow): DeviceState {
  return {
    site: r.site, device: r.device, online: r.online === 1, model: r.model, firmware: r.firmware,
    adapterId: r.adapter_id, agentVersion: r.agent_version, parameters: json<ParameterInfo[]>(r.parameters),
    sessionId: r.session_id, lastSeenMs: r.last_seen_ms, lastBirthMs: r.last_birth_ms, lastDeathMs: r.last_death_ms,
    lastDeathReason: r.last_death_reason, lastStatus: r.last_status === null ? null : json<AgentStatus>(r.last_status),
  };
}

export function deviceToRow(d: DeviceState): DeviceRow {
  return {
    site: d.site, device: d.device, online: d.online ? 1 : 0, model: d.model, firmware: d.firmware,
    adapter_id: d.adapterId, agent_version: d.agentVersion, parameters: JSON.stringify(d.parameters),
    session_id: d.sessionId, last_seen_ms: d.lastSeenMs, last_birth_ms: d.lastBirthMs, last_death_ms: d.lastDeathMs,
    last_death_reason: d.lastDeathReason, last_status: d.lastStatus === null ? null : JSON.stringify(d.lastStatus),
  };
}

export function sampleFromRow(r: TelemetryRow): Sample {
  const s: Sample = { parameter: r.parameter, value: r.value, quality: r.quality as Quality, timeMs: Number(r.time_ms) };
  if (r.reason) s.reason = r.reason as QualityReason;
  return s;
}
