/** A validated message from a device, ready for the store, and what committing it did. */
import type { AgentStatus, DeviceBirth, DeviceDeath, FaultEvent, Telemetry } from '../../../protocol/values.js';

export type IngestMessage =
  | { kind: 'event'; receivedMs: number; event: FaultEvent }
  | { kind: 'birth'; receivedMs: number; birth: DeviceBirth }
  | { kind: 'death'; receivedMs: number; death: DeviceDeath }
  | { kind: 'telemetry'; receivedMs: number; telemetry: Telemetry }
  | { kind: 'status'; receivedMs: number; status: AgentStatus };

export type IngestKind = IngestMessage['kind'];

export const INGEST_KINDS: readonly IngestKind[] = ['event', 'birth', 'death', 'telemetry', 'status'];

/** 'duplicate': an event whose id the store already holds; nothing changed. */
export type CommitOutcome = 'committed' | 'duplicate';
