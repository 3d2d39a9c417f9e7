/**
 * Everything the agent does for one device: poll its Modbus slave group by group, read host
 * health when asked, run the detectors, turn transitions into fault events carrying the
 * pre-fault window, publish over the device's own MQTT identity, answer its RPCs.
 */
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { Adapter, PollGroup } from '../firmware-adapters/schema.js';
import { errorCode, errorMessage } from '../protocol/errors.js';
import type { DeviceBirth, FaultEvent, ParameterInfo, Sample } from '../protocol/values.js';
import type { AgentConfig, DeviceConfig } from './config/agent-config-schema.js';
import { detect, detectComm, initialDetectorState, type DetectionResult, type DetectorState } from './core/detection.js';
import { buildFaultEvent } from './core/fault-event.js';
import { SampleWindow } from './core/sample-window.js';
import { MqttLink } from './mqtt-link.js';
import { WriteAuthorizer } from './rpc-auth.js';
import { RpcHandler } from './rpc-handler.js';
import type { ModbusBus } from './sources/modbus-bus.js';
import { ModbusPoller, type ModbusCounters } from './sources/modbus-poller.js';
import { readSystemMetrics, SYSTEM_PARAMETERS } from './sources/system-metrics.js';

export const AGENT_VERSION = '0.2.0';
const TELEMETRY_BUFFER_LIMIT = 5000;
const RECENT_EVENTS = 100;

export interface ChannelStats {
  polls: number;
  pollErrors: number;
  pollsSkipped: number;
  eventsRaised: number;
  eventsPublished: number;
  eventsPending: number;
  telemetryDropped: number;
  rpcAnswered: number;
  rpcBadRequests: number;
  writes: number;
  writesRefused: number;
  modbus: ModbusCounters | null;
}

export function parameterCatalogue(adapter: Adapter, withSystem: boolean): ParameterInfo[] {
  const regs: ParameterInfo[] = adapter.registers.map((r) => ({ name: r.name, unit: r.unit, description: r.description, writable: r.writable === true, source: 'modbus' }));
  return withSystem ? [...regs, ...SYSTEM_PARAMETERS] : regs;
}

export interface ChannelDeps {
  device: DeviceConfig;
  adapter: Adapter;
  agent: AgentConfig;
  bus: ModbusBus | null;
  log: Logger;
  now: () => number;
}

export class DeviceChannel {
  readonly sessionId = uuidv7();
  private readonly window: SampleWindow;
  private readonly poller: ModbusPoller | null;
  private readonly link: MqttLink;
  private readonly rpc: RpcHandler;
  private readonly catalogue: ParameterInfo[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recent: FaultEvent[] = [];
  private readonly st = { polls: 0, pollErrors: 0, pollsSkipped: 0, eventsRaised: 0, eventsPublished: 0, eventsPending: 0, telemetryDropped: 0 };
  private telemetry: Sample[] = [];
  private detector: DetectorState = initialDetectorState();
  private seq = 0;
  private consecutiveFailures = 0;
  private backoffUntil = 0;
  private startedMs = 0;
  private stopping = false;

  constructor(private readonly d: ChannelDeps) {
    const { device, adapter, agent, bus, log } = d;
    this.window = new SampleWindow(agent.detection.preFaultWindowS * 1000);
    this.catalogue = parameterCatalogue(adapter, device.system.enabled);
    const m = device.modbus;
    this.poller = m && bus
      ? new ModbusPoller({
        adapter, bus, unitId: m.unitId ?? adapter.unitId, timeoutMs: m.timeoutMs, retries: m.retries,
        plan: { maxRegisters: m.maxRegistersPerRequest, maxGap: m.maxGap }, log: log.child({ part: 'modbus' }), now: d.now,
      })
      : null;
    this.link = new MqttLink({
      url: agent.mqtt.url, username: device.username, password: device.password,
      protocolVersion: agent.mqtt.protocolVersion, keepaliveS: agent.mqtt.keepaliveS, reconnectMs: agent.mqtt.reconnectMs,
      site: device.site, device: device.id, sessionId: this.sessionId, birth: () => this.birth(),
      onRpcRequest: (p) => this.rpc.handle(p), log: log.child({ part: 'mqtt' }),
    });
    const poller = this.poller;
    this.rpc = new RpcHandler({
      knownParameters: () => new Set(adapter.registers.map((r) => r.name)),
      readLive: (names) => (poller ? poller.readNamed(names) : Promise.reject(new Error('no Modbus source configured'))),
      write: (values) => (poller ? poller.write(values) : Promise.reject(new Error('no Modbus source configured'))),
      authorizer: new WriteAuthorizer(device.writeKey, device.site, device.id),
      describe: () => this.birth(), respond: (p) => this.link.publishRpcResponse(p), log: log.child({ part: 'rpc' }), now: d.now,
    });
  }

  get device(): DeviceConfig {
    return this.d.device;
  }

  birth(): DeviceBirth {
    const { device, adapter } = this.d;
    return {
      device: device.id, site: device.site, adapterId: adapter.id, model: device.model, firmware: device.firmware,
      agentVersion: AGENT_VERSION, parameters: this.catalogue, timeMs: this.d.now(), sessionId: this.sessionId,
    };
  }

  stats(): ChannelStats {
    return {
      ...this.st, rpcAnswered: this.rpc.answered, rpcBadRequests: this.rpc.badRequests, writes: this.rpc.writes, writesRefused: this.rpc.refusedWrites,
      modbus: this.poller ? { ...this.poller.counters } : null,
    };
  }

  recentEvents(): readonly FaultEvent[] {
    return [...this.recent];
  }

  /** Poll groups and their read requests (for `agent check`). */
  get readPlan(): ModbusPoller['groups'] | null {
    return this.poller?.groups ?? null;
  }

  start(): void {
    const { device, agent } = this.d;
    this.startedMs = this.d.now();
    this.link.start();
    const m = device.modbus;
    if (this.poller && m) {
      for (const group of this.poller.groups.keys()) this.every(m.intervals[group], () => this.poll(group));
    }
    if (device.system.enabled) this.every(device.system.intervalMs, async () => this.record(await readSystemMetrics(this.d.now)));
    if (agent.telemetry.intervalMs > 0) this.every(agent.telemetry.intervalMs, () => this.flushTelemetry());
    this.every(agent.status.intervalMs, () => this.link.publishStatus({
      device: device.id, site: device.site, timeMs: this.d.now(), uptimeS: (this.d.now() - this.startedMs) / 1000,
      outboxDepth: this.st.eventsPending, pollErrors: this.st.pollErrors, eventsPublished: this.st.eventsPublished,
    }));
    this.d.log.info({ adapter: this.d.adapter.id, sessionId: this.sessionId, modbus: this.d.bus?.key ?? 'off' }, 'device channel started');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
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
      this.emit(detectComm(this.detector, false, m.failuresBeforeCommLoss));
      return;
    }
    this.consecutiveFailures = 0;
    this.backoffUntil = 0;
    this.emit(detectComm(this.detector, true, m.failuresBeforeCommLoss));
    this.record(samples);
    this.emit(detect(this.d.adapter, this.detector, new Map(samples.map((s) => [s.parameter, s])), this.d.now()));
  }

  private record(samples: readonly Sample[]): void {
    this.window.add(samples);
    this.telemetry.push(...samples);
    if (this.telemetry.length > TELEMETRY_BUFFER_LIMIT) {
      const drop = this.telemetry.length - TELEMETRY_BUFFER_LIMIT;
      this.st.telemetryDropped += drop;
      this.telemetry = this.telemetry.slice(drop);
    }
  }

  private flushTelemetry(): void {
    if (this.telemetry.length === 0 || !this.link.connected) return;
    this.link.publishTelemetry({ device: this.d.device.id, site: this.d.device.site, samples: this.telemetry });
    this.telemetry = [];
  }

  private emit(result: DetectionResult): void {
    this.detector = result.state;
    const { device, adapter, log } = this.d;
    for (const t of result.transitions) {
      const timeMs = this.d.now();
      const related = t.related.length > 0 ? t.related : adapter.registers.map((r) => r.name);
      const event = buildFaultEvent(t, {
        id: uuidv7(), seq: ++this.seq, timeMs, device: device.id, site: device.site, adapterId: adapter.id,
        snapshot: this.window.snapshot(related, timeMs), logExcerpt: [],
      });
      this.st.eventsRaised++;
      this.st.eventsPending++;
      this.recent.push(event);
      if (this.recent.length > RECENT_EVENTS) this.recent.shift();
      log.info({ code: event.code, transition: event.transition, seq: event.seq, id: event.id }, 'fault event');
      this.link.publishEvent(event).then(
        () => { this.st.eventsPublished++; this.st.eventsPending--; },
        (err: unknown) => { this.st.eventsPending--; log.error({ code: errorCode(err), err: errorMessage(err), id: event.id }, 'fault event not delivered'); },
      );
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
