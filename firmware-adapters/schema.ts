/**
 * The declarative shape of a firmware adapter: one device family's register map, fault-code
 * tables, threshold rules, simulation profile and knowledge. Plain data: the agent decodes and
 * detects from it, the simulator plays it, the collector seeds its knowledge base from it.
 */
import type { Category, Severity } from '../protocol/values.js';

export const REGISTER_TABLES = ['holding', 'input'] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];

export const REGISTER_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** 'big': most significant word first (ABCD). 'little': least significant word first (CDAB). */
export const WORD_ORDERS = ['big', 'little'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];
/** Byte order inside each 16-bit word. Modbus is big-endian; some devices swap (BADC). */
export type ByteOrder = WordOrder;

export interface RegisterDef {
  name: string;
  table: RegisterTable;
  address: number;
  type: RegisterType;
  wordOrder?: WordOrder;
  byteOrder?: ByteOrder;
  /** engineering value = raw * scale + offset */
  scale?: number;
  offset?: number;
  unit: string;
  description: string;
  writable?: boolean;
}

export interface FaultDef {
  code: string;
  category: Category;
  severity: Severity;
  message: string;
  remedy: string;
}

/** An enum register: value 0 means healthy, any listed value is that fault. */
export interface FaultCodeTable {
  register: string;
  codes: Record<number, FaultDef>;
  /** Shown for a non-zero value that is not in `codes`. */
  unknown: Omit<FaultDef, 'code' | 'message'>;
  /** Parameters whose recent samples travel with the event. */
  related: string[];
}

/** A limit with hysteresis (ISA-18.2 style): raise past `limit` for `onDelayMs`, clear back past limit∓deadband for `offDelayMs`. */
export interface ThresholdRule extends FaultDef {
  parameter: string;
  direction: 'above' | 'below';
  limit: number;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
  related: string[];
}

/** How the simulator moves a parameter: base ± amplitude (sine over periodS) ± noise. */
export interface SimulatedSignal {
  base: number;
  amplitude: number;
  periodS: number;
  noise: number;
}

export interface SimulationProfile {
  signals: Record<string, SimulatedSignal>;
  /** Engineering values forced while a fault code is injected, keyed by the fault code's numeric value. */
  faultEffects: Record<number, Record<string, number>>;
}

export interface KnowledgeEntry {
  code: string;
  symptoms: string;
  diagnosis: string[];
  remedy: string;
}

export interface Adapter {
  id: string;
  vendor: string;
  description: string;
  /** Regular expressions (as strings, so adapters can also be JSON/YAML) on the device's model and firmware. */
  match: { model: string; firmware?: string };
  /** Default Modbus unit id for the simulator and for agent configs that leave it out. */
  unitId: number;
  registers: RegisterDef[];
  faultTables: FaultCodeTable[];
  thresholds: ThresholdRule[];
  simulation: SimulationProfile;
  knowledge: KnowledgeEntry[];
}

/** Identity helper that lets TypeScript check an adapter literal against the schema. */
export function defineAdapter(a: Adapter): Adapter {
  return a;
}

type RegOpts = Omit<RegisterDef, 'name' | 'table' | 'address'>;

export function holding(address: number, name: string, opts: RegOpts): RegisterDef {
  return { name, table: 'holding', address, ...opts };
}

export function input(address: number, name: string, opts: RegOpts): RegisterDef {
  return { name, table: 'input', address, ...opts };
}

/** Number of 16-bit registers a type occupies. */
export function registerWidth(type: RegisterType): number {
  switch (type) {
    case 'int16': case 'uint16': return 1;
    case 'int32': case 'uint32': case 'float32': return 2;
    case 'float64': return 4;
  }
}
