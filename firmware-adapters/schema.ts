/**
 * The declarative shape of a firmware adapter: one device family's register map, fault-code
 * tables, threshold rules, simulation profile and knowledge. Plain data: the agent decodes and
 * detects from it, the simulator plays it, the collector seeds its knowledge base from it.
 */
import type { Category, Severity } from '../protocol/values.js';

/** Modbus data tables: 16-bit registers (FC 3 holding, FC 4 input) and single bits (FC 1 coils, FC 2 discrete inputs). */
export const REGISTER_TABLES = ['holding', 'input', 'coil', 'discrete'] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];
export const BIT_TABLES: readonly RegisterTable[] = ['coil', 'discrete'];

/**
 * `bit` is the only type for coil/discrete tables (value 0 or 1). `bitfield` is a raw 16-bit
 * word whose bits mean separate things (no scale). `string` is `length` registers of ASCII,
 * two characters per register (reported as text, not a number).
 */
export const REGISTER_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'bit', 'bitfield', 'string'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** Poll groups: each has its own period in the agent config (modbus.intervals). */
export const POLL_GROUPS = ['fast', 'normal', 'slow'] as const;
export type PollGroup = (typeof POLL_GROUPS)[number];

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
  /**
   * For a writable register: the values (engineering units) a write may set; anything else is
   * refused with FL_ERR_RPC_BAD_VALUE. Without it, whatever the register type can hold.
   */
  writeRange?: { min: number; max: number };
  /**
   * What the sensor behind the register can measure (engineering units). A reading outside it
   * (an open or shorted sensor, a drive's 0x7FFF "over range") goes out with quality uncertain,
   * reason out-of-range, and no detector judges it.
   */
  range?: { min: number; max: number };
  /** Registers a `string` occupies. */
  length?: number;
  /** Poll group, default 'normal'. */
  poll?: PollGroup;
}

export interface FaultDef {
  code: string;
  category: Category;
  severity: Severity;
  message: string;
  remedy: string;
  /** Chinese texts (same placeholders); the UI shows them in Chinese and falls back to English. */
  zh?: FaultZh;
}

/** A fault's Chinese message and remedy. */
export interface FaultZh { message?: string; remedy?: string }

export const FAULT_TABLE_KINDS = ['enum', 'bitfield'] as const;
export type FaultTableKind = (typeof FAULT_TABLE_KINDS)[number];

/**
 * A fault-code register. 'enum' (the default): the register holds one code at a time, 0 means
 * healthy, `codes` is keyed by register value. 'bitfield': every set bit is its own fault,
 * raised and cleared on its own; `codes` is keyed by bit number 0-31 (bit 0 = least significant).
 */
export interface FaultCodeTable {
  kind?: FaultTableKind;
  register: string;
  codes: Record<number, FaultDef>;
  /** Bitfield only: the bits that mean faults (default: all); other bits (status flags) are ignored. */
  mask?: number;
  /** Shown for a non-zero value (enum) or a set bit (bitfield) that is not in `codes`. */
  unknown: Omit<FaultDef, 'code' | 'message'>;
  /** Parameters whose recent samples travel with the event. */
  related: string[];
}

export const CONDITION_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** A rule judges only while this holds (e.g. run_state eq 1: the drive is running); when it stops holding, an active fault clears. */
export interface RuleCondition {
  parameter: string;
  op: ConditionOp;
  value: number;
}

/** A limit with hysteresis (ISA-18.2 style): raise past `limit` for `onDelayMs`, clear back past limit∓deadband for `offDelayMs`. */
export interface ThresholdRule extends FaultDef {
  parameter: string;
  direction: 'above' | 'below';
  limit: number;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
  when?: RuleCondition;
  related: string[];
}

export const RATE_DIRECTIONS = ['rising', 'falling', 'either'] as const;
export type RateDirection = (typeof RATE_DIRECTIONS)[number];

/**
 * Rate of change: the slope of `parameter` over the last `windowMs` (units per second) is past
 * `limitPerS` (rising: slope above it; falling: slope below -limitPerS; either: |slope|), with
 * the same deadband and on/off delays as a threshold. Judged once half the window is covered.
 */
export interface RateRule extends FaultDef {
  kind: 'rate';
  parameter: string;
  direction: RateDirection;
  limitPerS: number;
  deadbandPerS: number;
  windowMs: number;
  onDelayMs: number;
  offDelayMs: number;
  when?: RuleCondition;
  related: string[];
}

/**
 * Stuck (frozen) value: `parameter` stays within `epsilon` of where it was for `afterMs` (while
 * `when` holds). Clears as soon as it moves by more than epsilon or the condition stops holding.
 */
export interface StuckRule extends FaultDef {
  kind: 'stuck';
  parameter: string;
  epsilon: number;
  afterMs: number;
  when?: RuleCondition;
  related: string[];
}

export const RULE_KINDS = ['rate', 'stuck'] as const;
export type DetectorRule = RateRule | StuckRule;

/**
 * How the simulator moves a parameter: base ± amplitude (sine over periodS) ± noise, plus
 * `ratePerS` × seconds for counters (wrapping to 0 at `wrap`, e.g. 65536 for a uint16 counter).
 */
export interface SimulatedSignal {
  base: number;
  amplitude: number;
  periodS: number;
  noise: number;
  ratePerS?: number;
  wrap?: number;
}

export interface SimulationProfile {
  signals: Record<string, SimulatedSignal>;
  /** Fixed text of `string` registers (serial numbers, firmware strings). */
  texts?: Record<string, string>;
  /**
   * Engineering values forced while a fault is injected, keyed by fault code (e.g. 'vfd.overcurrent').
   * Register values, bits, threshold excursions, ramps and freezes follow from the rules themselves.
   */
  faultEffects: Record<string, Record<string, number>>;
}

export interface KnowledgeEntry {
  code: string;
  symptoms: string;
  diagnosis: string[];
  remedy: string;
  /** Chinese texts (diagnosis: as many steps as the English). */
  zh?: { symptoms?: string; diagnosis?: string[]; remedy?: string };
}

/**
 * A log-line pattern: a record whose message matches `pattern` (a RegExp source; named groups
 * allowed) raises the fault `code`. `code` and `message` may use `${group}` placeholders (in the
 * code a group's value is lower-cased and reduced to a-z 0-9 _). A log fault has no natural clear:
 * it clears after `clearAfterMs` (default 300000) without another match.
 */
export interface LogPattern {
  id: string;
  pattern: string;
  /** Case-insensitive match. Default false. */
  ignoreCase?: boolean;
  /** Only records whose app (syslog tag, JSON app/name) matches this RegExp source. */
  app?: string;
  code: string;
  category: Category;
  severity: Severity;
  message: string;
  remedy: string;
  clearAfterMs?: number;
  /** Chinese texts (the message with the same `${group}` placeholders). */
  zh?: FaultZh;
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
  /** Rate-of-change and stuck-value rules (optional). */
  rules?: DetectorRule[];
  simulation: SimulationProfile;
  knowledge: KnowledgeEntry[];
  /** Log-line patterns that map a device's log records to faults (optional). */
  logPatterns?: LogPattern[];
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

/** Number of registers (or bits, for bit tables) a register definition occupies. */
export function registerSpan(def: Pick<RegisterDef, 'type' | 'length'>): number {
  return registerWidth(def.type, def.length);
}

/** Number of registers (or bits, for bit tables) a type occupies; `length` is a string's register count. */
export function registerWidth(type: RegisterType, length = 1): number {
  switch (type) {
    case 'string': return length;
    case 'int16': case 'uint16': case 'bit': case 'bitfield': return 1;
    case 'int32': case 'uint32': case 'float32': return 2;
    case 'float64': return 4;
  }
}
