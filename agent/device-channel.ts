/**
 * Everything the agent does for one device: poll its Modbus slave group by group, read host
 * health when asked, run the detectors, turn transitions into fault events carrying the
 * pre-fault window, publish over the device's own MQTT identity, answer its RPCs.
 */
import type { Logger } from '../protocol/logger.js';
import { uuidv7 } from 'uuidv7';
import type { Adapter, PollGroup } from '../firmware-adapters/schema.js';
import { writableRange } from '../firmware-adapters/register-codec.js';
import { errorCode, errorMessage, FaultlineError } from '../protocol/errors.js';
import type { DeviceBirth, FaultEvent, ParameterInfo, Sample, UnsupportedRegister } from '../protocol/values.js';
import type { AgentConfig, DeviceConfig } from './config/agent-config-schema.js';
import type { ChatterSpec } from './core/chatter.js';
import { detect, detectComm, initialDetectorState, type DetectorState } from './core/detection.js';
import type { FaultTransition } from './core/fault-transition.js';
import { detectSystem, initialSystemDetectorState, type SystemDetectorState } from './core/system-detection.js';
import { buildFaultEvent } from './core/fault-event.js';
import { SampleWindow } from './core/sample-window.js';
import { Freshness } from './core/freshness.js';
import { MqttLink, type StatusInputs } from './mqtt-link.js';
import type { Outbox } from './outbox/index.js';
import { outboxSeenStore, WriteAuthorizer } from './rpc-auth.js';
import { RpcHandler } from './rpc-handler.js';
import type { ModbusBus } from './sources/modbus-bus.js';
import { failureReason, ModbusPoller, type ModbusCounters } from './sources/modbus-poller.js';
import { SystemMetrics } from './sources/system-metrics.js';
import { LogSource, logStatePath } from './sources/log-source.js';
import type { LogFaultTransition } from './core/log-matcher.js';
import { AGENT_VERSION } from './version.js';

export { AGENT_VERSION };
const TELEMETRY_BUFFER_LIMIT = 5000;
const RECENT_EVENTS = 100;

export interface ChannelStats {
  polls: number;
  pollErrors: number;
  pollsSkipped: number;
  eventsRaised: number;
  /** Events the broker acknowledged (for the faultline collector: committed). */
  eventsPublished: number;
  /** Events waiting in the durable outbox (dead letters included). */
  eventsPending: number;
  /** Events the broker refused, kept in the outbox and sent again after the next reconnect. */
  eventsRefused: number;
  /** Events the broker acknowledged that no collector has receipted yet (still in the outbox). */
  eventsUnreceipted: number;
  /** Events deleted on a collector's receipt since start. */
  eventsReceipted: number;
  /** Event sends repeated because no receipt came in time, since start. */
  eventsResentUnreceipted: number;
  /** Events that could not even be written to the outbox (disk full, outbox closed). */
  eventsLost: number;
  telemetryDropped: number;
  rpcAnswered: number;
  rpcBadRequests: number;
  writes: number;
  writesRefused: number;
  modbus: ModbusCounters | null;
  /** Registers the device refused with a Modbus exception: not polled, re-probed every modbus.reprobeMs. */
  unsupported: UnsupportedRegister[];
}

export function parameterCatalogue(adapter: Adapter, system: ParameterInfo[] = []): ParameterInfo[] {
  const regs: ParameterInfo[] = adapter.registers.map((r) => {
    const info: ParameterInfo = { name: r.name, unit: r.unit, description: r.description, writable: r.writable === true, source: 'modbus' };
    if (info.writable && r.type !== 'string') info.writeRange = writableRange(r);
    return info;
  });
  return [...regs, ...system];
}

export function chatterSpec(agent: AgentConfig): ChatterSpec | false {
  const c = agent.detection.chatter;
  return c.cycles === 0 ? false : { cycles: c.cycles, windowMs: c.windowS * 1000, holdMs: c.holdS * 1000 };
}

/** Samples by parameter, for the detectors (a loop: no [key, value] pair per sample, every poll). */
function byParameter(samples: readonly Sample[]): Map<string, Sample> {
  const map = new Map<string, Sample>();
  for (let i = 0; i < samples.length; i++) map.set(samples[i]!.parameter, samples[i]!);
  return map;
}

/** How far before telemetry.intervalMs a poll may store telemetry (poll timers drift by a few ms). */
const telemetrySlack = (intervalMs: number): number => Math.min(100, intervalMs / 4);

export interface ChannelDeps {
  device: DeviceConfig;
  adapter: Adapter;
  agent: AgentConfig;
  bus: ModbusBus | null;
  outbox: Outbox;
  log: Logger;
  now: () => number;
}

export class DeviceChannel {
  readonly sessionId = uuidv7();
  private readonly window: SampleWindow;
  private readonly freshness: Freshness;
  private readonly poller: ModbusPoller | null;
  private readonly link: MqttLink;
  private readonly rpc: RpcHandler;
  private readonly system: SystemMetrics | null;
  private readonly logs: LogSource[];
  private readonly chatter: ChatterSpec | false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recent: FaultEvent[] = [];
  private readonly st = { polls: 0, pollErrors: 0, pollsSkipped: 0, eventsRaised: 0, eventsLost: 0, telemetryDropped: 0 };
  private telemetry: Sample[] = [];
  private telemetryTimer: NodeJS.Timeout | null = null;
  private lastFlushMs = 0;
  private detector: DetectorState = initialDetectorState();
  private systemDetector: SystemDetectorState = initialSystemDetectorState();
  private consecutiveFailures = 0;
  private backoffUntil = 0;
  private stopping = false;

  constructor(private readonly d: ChannelDeps) {
    const { device, adapter, agent, bus, log } = d;
    this.window = new SampleWindow(agent.detection.preFaultWindowS * 1000);
    this.freshness = new Freshness(agent.telemetry.staleFactor);
    this.chatter = chatterSpec(agent);
    this.logs = device.logs.map((file) => new LogSource({
      file, patterns: adapter.logPatterns ?? [], statePath: logStatePath(agent.stateDir, `${device.site}/${device.id}/${file.path}`),
      log: log.child({ part: 'logs', file: file.path }), now: d.now,
      pollIntervalMs: agent.logTail.pollIntervalMs, persistIntervalMs: agent.logTail.persistIntervalMs,
      excerptLines: agent.logTail.excerptLines, keepLines: agent.logTail.keepLines,
      onEmit: (_records, transitions) => this.emit(transitions),
    }));
    this.system = device.system.enabled
      ? new SystemMetrics({ options: device.system, log: log.child({ part: 'system' }), now: d.now })
      : null;
    const mb = device.modbus;
    this.poller = mb && bus
      ? new ModbusPoller({
        adapter, bus, unitId: mb.unitId ?? adapter.unitId, timeoutMs: mb.timeoutMs, retries: mb.retries,
        plan: { maxRegisters: mb.maxRegistersPerRequest, maxGap: mb.maxGap }, reprobeMs: mb.reprobeMs, log: log.child({ part: 'modbus' }), now: d.now,
      })
      : null;
    const m = agent.mqtt;
    this.link = new MqttLink({
      url: m.url, username: device.username, password: device.password, protocolVersion: m.protocolVersion, keepaliveS: m.keepaliveS,
      connectTimeoutMs: m.connectTimeoutMs, tls: m.tls, reconnect: m.reconnect, maxInFlight: m.maxInFlight,
      statusIntervalMs: agent.status.intervalMs, site: device.site, device: device.id, sessionId: this.sessionId, outbox: d.outbox,
      birth: () => this.birth(), statusInputs: () => this.statusInputs(),
      onRpcRequest: (p) => this.rpc.handle(p), log: log.child({ part: 'mqtt' }), now: d.now,
      receipts: agent.delivery.receipts ? { firstMs: agent.delivery.receiptTimeoutMs, maxMs: agent.delivery.maxResendIntervalMs } : undefined,
      unstoredMaxMs: agent.outbox.fsyncTelemetry || agent.outbox.unstoredMaxMs === 0 ? undefined : agent.outbox.unstoredMaxMs,
    });
    const poller = this.poller;
    this.rpc = new RpcHandler({
      knownParameters: () => new Set(adapter.registers.map((r) => r.name)),
      readLive: (names) => (poller ? poller.readNamed(names) : Promise.reject(new Error('no Modbus source configured'))),
      write: (values) => (poller ? poller.write(values) : Promise.reject(new FaultlineError('FL_ERR_RPC_NOT_WRITABLE', 'this device has no Modbus source configured: nothing can be written'))),
      readBack: (values) => (poller ? poller.readBack(values) : Promise.reject(new Error('no Modbus source configured'))),
      authorizer: new WriteAuthorizer(device.writeKey, device.site, device.id, outboxSeenStore(d.outbox, `${device.site}/${device.id}`, log)),
      describe: () => this.birth(), recentLogLines: (n) => this.recentLogLines(n), respond: (p) => this.link.publishRpcResponse(p), log: log.child({ part: 'rpc' }), now: d.now,
    });
  }

  get device(): DeviceConfig {
    return this.d.device;
  }

  birth(): DeviceBirth {
    const { device, adapter, agent } = this.d;
    const parameters = parameterCatalogue(adapter, this.system?.parameters()).map((p) => {
      const pollIntervalMs = this.freshness.intervalOf(p.name);
      return pollIntervalMs === undefined ? p : { ...p, pollIntervalMs };
    });
    return {
      device: device.id, site: device.site, adapterId: adapter.id, model: device.model, firmware: device.firmware,
      agentVersion: AGENT_VERSION, parameters, timeMs: this.d.now(), sessionId: this.sessionId,
      ...(agent.telemetry.intervalMs > 0 ? { telemetryIntervalMs: agent.telemetry.intervalMs } : {}), staleFactor: agent.telemetry.staleFactor,
    };
  }

  stats(): ChannelStats {
    const link = this.link.counters();
    return {
      eventsUnreceipted: this.d.outbox.unreceipted(this.link.outboxKey), eventsReceipted: link.receipted, eventsResentUnreceipted: link.resentUnreceipted,
      ...this.st, eventsPublished: this.link.counters().ackedEvents, eventsPending: this.d.outbox.depth(this.link.outboxKey).event, eventsRefused: this.d.outbox.deadLetters(this.link.outboxKey), rpcAnswered: this.rpc.answered, rpcBadRequests: this.rpc.badRequests, writes: this.rpc.writes, writesRefused: this.rpc.refusedWrites,
      modbus: this.poller ? { ...this.poller.counters } : null, unsupported: this.poller?.unsupported() ?? [],
    };
  }

  /** What the status message reports of this device's sources (self-metrics). */
  private statusInputs(): StatusInputs {
    const m = this.poller?.counters;
    return {
      pollErrors: this.st.pollErrors, drops: this.st.telemetryDropped + this.st.eventsLost, unsupported: this.poller?.unsupported() ?? [],
      polls: this.st.polls, pollTimeouts: m?.timeouts ?? 0, pollExceptions: m?.exceptions ?? 0,
      pollLinkErrors: m ? m.crcErrors + m.ioErrors + m.badReplies : 0,
      logLinesClipped: this.logs.reduce((n, l) => n + l.counters().truncated, 0),
    };
  }

  recentEvents(): readonly FaultEvent[] {
    return [...this.recent];
  }

  /** Poll groups and their read requests (for `agent check`). */
  get readPlan(): ModbusPoller['groups'] | null {
    return this.poller?.groups ?? null;
  }

  /** The last `n` lines over all of this device's followed log files. */
  recentLogLines(n: number): string[] {
    return this.logs.flatMap((l) => l.recentLines(n)).slice(-n);
  }

  async start(): Promise<void> {
    const { device, agent } = this.d;
    for (const source of this.logs) {
      try {
        await source.start();
      } catch (err) {
        this.d.log.error({ code: errorCode(err), err: errorMessage(err) }, 'cannot follow a log file; carrying on without it');
      }
    }
    this.watchFreshness();
    this.link.start();
    const m = device.modbus;
    if (this.poller && m) {
      for (const group of this.poller.groups.keys()) this.every(m.intervals[group], () => this.poll(group));
    }
    const system = this.system;
    if (system) this.every(device.system.intervalMs, async () => this.readSystem(system));
    if (agent.telemetry.intervalMs > 0) this.armTelemetry();
    this.d.log.info({ adapter: this.d.adapter.id, sessionId: this.sessionId, modbus: this.d.bus?.key ?? 'off' }, 'device channel started');
  }

  /** Every polled parameter with its interval: what stale quality and the birth's poll intervals go by. */
  private watchFreshness(): void {
    const { device, adapter } = this.d;
    const now = this.d.now();
    const m = device.modbus;
    if (this.poller && m) for (const r of adapter.registers) this.freshness.watch(r.name, m.intervals[r.poll ?? 'normal'], now);
    for (const p of this.system?.parameters() ?? []) this.freshness.watch(p.name, device.system.intervalMs, now);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.telemetryTimer) clearTimeout(this.telemetryTimer);
    this.telemetryTimer = null;
    await Promise.all(this.logs.map((l) => l.stop()));
    await this.link.stop();
  }

  private async poll(group: PollGroup): Promise<void> {
    const m = this.d.device.modbus;
    if (!this.poller || !m) return;
    if (this.d.now() < this.backoffUntil) { this.st.pollsSkipped++; return; }
    this.st.polls++;
    let samples: Sample[];
    try {
      samples = await this.poller.pollGroup(group);
    } catch (err) {
      this.st.pollErrors++;
      this.consecutiveFailures++;
      // A silent slave is asked less and less often (up to backoffMaxMs), so it does not eat the bus time of the others.
      const pause = Math.min(m.backoffMaxMs, m.intervals.normal * 2 ** Math.min(10, this.consecutiveFailures - 1));
      this.backoffUntil = this.d.now() + pause * (0.5 + Math.random() / 2);
      this.d.log.warn({ code: errorCode(err), err: errorMessage(err), group, nextTryInMs: Math.round(this.backoffUntil - this.d.now()) }, 'modbus poll failed');
      // Not silence: the group's values go out as bad, with why, so nothing shows the last good value unmarked.
      const reason = failureReason(err);
      const t = this.d.now();
      this.record(this.poller.parametersOf(group).map((parameter) => ({ parameter, value: 0, quality: 'bad' as const, reason, timeMs: t })));
      this.judge(detectComm(this.detector, false, m.failuresBeforeCommLoss, this.d.now(), { chatter: this.chatter }));
      this.flushTelemetryIfDue();
      return;
    }
    this.consecutiveFailures = 0;
    this.backoffUntil = 0;
    this.judge(detectComm(this.detector, true, m.failuresBeforeCommLoss, this.d.now(), { chatter: this.chatter }));
    this.record(samples);
    this.judge(detect(this.d.adapter, this.detector, byParameter(samples), this.d.now(), { chatter: this.chatter }));
    this.flushTelemetryIfDue();
  }

  private judge(result: { state: DetectorState; transitions: FaultTransition[] }): void {
    this.detector = result.state;
    this.emit(result.transitions);
  }

  private async readSystem(system: SystemMetrics): Promise<void> {
    const samples = await system.read();
    this.record(samples);
    const result = detectSystem(this.d.device.system, this.systemDetector, byParameter(samples), this.d.now(), this.chatter);
    this.systemDetector = result.state;
    this.emit(result.transitions);
  }

  private record(samples: readonly Sample[]): void {
    this.freshness.observe(samples);
    this.window.add(samples);
    for (let i = 0; i < samples.length; i++) this.telemetry.push(samples[i]!);
    if (this.telemetry.length > TELEMETRY_BUFFER_LIMIT) {
      const drop = this.telemetry.length - TELEMETRY_BUFFER_LIMIT;
      this.st.telemetryDropped += drop;
      this.telemetry = this.telemetry.slice(drop);
    }
  }

  /**
   * Telemetry is stored every telemetry.intervalMs: by the poll that finds the batch due (at most
   * a quarter of the interval or 100 ms early), so a poll's samples are stored in the same turn of
   * the event loop as they are read; by a timer when no poll came (a device with system metrics
   * only, or polls slower than the telemetry interval: on time; a poll late by more than an
   * interval and the slack: then). Each store replaces the timer, so at one poll a second it never
   * fires. It must also never be the next timer due when the poll timer fires: Node arms its one
   * event-loop timer for the earliest timer pending then, and a timer cleared later does not
   * disarm it, so a fallback due 1.5 intervals after a store woke the process once a second for
   * nothing (strace: an epoll_pwait timing out ~500 ms after each poll). Due two intervals after a
   * store, it is later than the next poll's timer, which is armed after it.
   */
  private flushTelemetryIfDue(): void {
    const ms = this.d.agent.telemetry.intervalMs;
    if (ms > 0 && this.d.now() - this.lastFlushMs >= ms - telemetrySlack(ms)) this.flushTelemetry();
  }

  private armTelemetry(): void {
    if (this.telemetryTimer) clearTimeout(this.telemetryTimer);
    this.telemetryTimer = null;
    if (this.stopping) return;
    this.telemetryTimer = setTimeout(() => {
      this.telemetryTimer = null;
      try {
        this.flushTelemetry();
      } catch (err) {
        this.d.log.error({ code: errorCode(err), err: errorMessage(err) }, 'periodic task failed');
        this.armTelemetry();
      }
    }, this.d.agent.telemetry.intervalMs + this.telemetryGraceMs());
  }

  /** How late the telemetry timer fires: an interval and the slack when polls store telemetry (the timer only covers for a late poll), else on time. */
  private telemetryGraceMs(): number {
    const ms = this.d.agent.telemetry.intervalMs;
    const m = this.d.device.modbus;
    const polled = this.poller && m ? [...this.poller.groups.keys()].some((g) => m.intervals[g] <= ms) : false;
    return polled ? ms + telemetrySlack(ms) : 0;
  }

  private flushTelemetry(): void {
    this.lastFlushMs = this.d.now();
    this.armTelemetry();
    // A value nothing was said of for staleFactor poll intervals (a poll still waiting on the device, an overrun) goes out as stale.
    const overdue = this.freshness.overdue(this.d.now());
    if (overdue.length > 0) this.record(overdue);
    if (this.telemetry.length === 0) return;
    if (!this.link.enqueueTelemetry({ device: this.d.device.id, site: this.d.device.site, samples: this.telemetry })) this.st.telemetryDropped += this.telemetry.length;
    this.telemetry = [];
  }

  private emit(transitions: ReadonlyArray<FaultTransition | LogFaultTransition>): void {
    const { device, adapter, log, agent } = this.d;
    for (const t of transitions) {
      const logExcerpt = 'excerpt' in t ? t.excerpt : this.recentLogLines(agent.logTail.excerptLines);
      const timeMs = this.d.now();
      const related = t.related.length > 0 ? t.related : adapter.registers.map((r) => r.name);
      let event: FaultEvent;
      try {
        // Durable (fsync'd in the outbox) once this returns; the link publishes it when it can.
        event = this.link.enqueueEvent((seq) => buildFaultEvent(t, {
          id: uuidv7(), seq, timeMs, device: device.id, site: device.site, adapterId: adapter.id,
          snapshot: this.window.snapshot(related, timeMs), logExcerpt,
        }));
      } catch (err) {
        this.st.eventsLost++;
        log.error({ code: errorCode(err), err: errorMessage(err), fault: t.fault.code, transition: t.transition }, 'fault event could not be queued');
        continue;
      }
      this.st.eventsRaised++;
      this.recent.push(event);
      if (this.recent.length > RECENT_EVENTS) this.recent.shift();
      log.info({ code: event.code, transition: event.transition, seq: event.seq, id: event.id }, 'fault event');
    }
  }

  private every(ms: number, fn: () => Promise<void> | void): void {
    const tick = async (): Promise<void> => {
      const started = this.d.now();
      try { await fn(); } catch (err) { this.d.log.error({ code: errorCode(err), err: errorMessage(err) }, 'periodic task failed'); }
      if (this.stopping) return;
      const t = setTimeout(() => { this.timers.delete(t); void tick(); }, Math.max(0, ms - (this.d.now() - started)));
      this.timers.add(t);
    };
    void tick();
  }
}
