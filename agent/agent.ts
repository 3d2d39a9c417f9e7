/**
 * The agent's composition root: config → sources (Modbus, system) → detectors → fault events →
 * MQTT. Owns start order, timers and shutdown; the rules themselves live in agent/core.
 */
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import { ADAPTERS, adapterById, adapterFor } from '../firmware-adapters/index.js';
import type { Adapter } from '../firmware-adapters/schema.js';
import { errorCode, errorMessage } from '../protocol/errors.js';
import type { DeviceBirth, FaultEvent, ParameterInfo, Sample } from '../protocol/values.js';
import type { AgentConfig } from './config/agent-config-schema.js';
import { detect, detectComm, initialDetectorState, type DetectionResult, type DetectorState } from './core/detection.js';
import { buildFaultEvent } from './core/fault-event.js';
import { SampleWindow } from './core/sample-window.js';
import { MqttLink } from './mqtt-link.js';
import { RpcHandler } from './rpc-handler.js';
import { ModbusPoller } from './sources/modbus-poller.js';
import { readSystemMetrics, SYSTEM_PARAMETERS } from './sources/system-metrics.js';

export const AGENT_VERSION = '0.1.0';
const TELEMETRY_BUFFER_LIMIT = 5000;

export interface AgentStats {
  polls: number;
  pollErrors: number;
  eventsRaised: number;
  eventsPublished: number;
  eventsPending: number;
  telemetryDropped: number;
  rpcAnswered: number;
  rpcBadRequests: number;
}

export interface RunningAgent {
  readonly adapter: Adapter;
  readonly sessionId: string;
  stats(): AgentStats;
  /** Events in the order they were raised (bounded), for diagnostics and tests. */
  recentEvents(): readonly FaultEvent[];
  stop(): Promise<void>;
}

export function resolveAdapter(config: AgentConfig, adapters: readonly Adapter[] = ADAPTERS): Adapter {
  return config.device.adapter ? adapterById(config.device.adapter, adapters) : adapterFor(config.device.model, config.device.firmware, adapters);
}

export function parameterCatalogue(adapter: Adapter, withSystem: boolean): ParameterInfo[] {
  const regs: ParameterInfo[] = adapter.registers.map((r) => ({ name: r.name, unit: r.unit, description: r.description, writable: r.writable === true, source: 'modbus' }));
  return withSystem ? [...regs, ...SYSTEM_PARAMETERS] : regs;
}

export async function startAgent(config: AgentConfig, opts: { log: Logger; now?: () => number; adapters?: readonly Adapter[] }): Promise<RunningAgent> {
  const now = opts.now ?? Date.now;
  const adapter = resolveAdapter(config, opts.adapters);
  const { id: device, site } = config.device;
  const log = opts.log.child({ device, site });
  const sessionId = uuidv7();
  const startedMs = now();
  const window = new SampleWindow(config.detection.preFaultWindowS * 1000);
  const catalogue = parameterCatalogue(adapter, config.system.enabled);
  const stats: AgentStats = { polls: 0, pollErrors: 0, eventsRaised: 0, eventsPublished: 0, eventsPending: 0, telemetryDropped: 0, rpcAnswered: 0, rpcBadRequests: 0 };
  const recent: FaultEvent[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let telemetry: Sample[] = [];
  let detector: DetectorState = initialDetectorState();
  let seq = 0;
  let stopping = false;

  const birth = (): DeviceBirth => ({
    device, site, adapterId: adapter.id, model: config.device.model, firmware: config.device.firmware,
    agentVersion: AGENT_VERSION, parameters: catalogue, timeMs: now(), sessionId,
  });

  const poller = config.modbus
    ? new ModbusPoller({
      adapter, host: config.modbus.host, port: config.modbus.port, unitId: config.modbus.unitId ?? adapter.unitId,
      timeoutMs: config.modbus.timeoutMs, plan: { maxRegisters: config.modbus.maxRegistersPerRequest, maxGap: config.modbus.maxGap },
      log: log.child({ part: 'modbus' }), now,
    })
    : null;

  let rpc: RpcHandler | null = null;
  const link = new MqttLink({
    url: config.mqtt.url, username: config.mqtt.username, password: config.mqtt.password,
    protocolVersion: config.mqtt.protocolVersion, keepaliveS: config.mqtt.keepaliveS, reconnectMs: config.mqtt.reconnectMs,
    site, device, sessionId, birth, onRpcRequest: (p) => rpc?.handle(p), log: log.child({ part: 'mqtt' }),
  });
  rpc = new RpcHandler({
    knownParameters: () => new Set(adapter.registers.map((r) => r.name)),
    readLive: (names) => (poller ? poller.readNamed(names) : Promise.reject(new Error('no Modbus source configured'))),
    describe: birth, respond: (p) => link.publishRpcResponse(p), log: log.child({ part: 'rpc' }), now,
  });

  const record = (samples: readonly Sample[]): void => {
    window.add(samples);
    telemetry.push(...samples);
    if (telemetry.length > TELEMETRY_BUFFER_LIMIT) {
      const drop = telemetry.length - TELEMETRY_BUFFER_LIMIT;
      stats.telemetryDropped += drop;
      telemetry = telemetry.slice(drop);
    }
  };

  const emit = (result: DetectionResult): void => {
    detector = result.state;
    for (const t of result.transitions) {
      const timeMs = now();
      const related = t.related.length > 0 ? t.related : adapter.registers.map((r) => r.name);
      const event = buildFaultEvent(t, {
        id: uuidv7(), seq: ++seq, timeMs, device, site, adapterId: adapter.id,
        snapshot: window.snapshot(related, timeMs), logExcerpt: [],
      });
      stats.eventsRaised++;
      stats.eventsPending++;
      recent.push(event);
      if (recent.length > 100) recent.shift();
      log.info({ code: event.code, transition: event.transition, seq: event.seq, id: event.id }, 'fault event');
      link.publishEvent(event).then(
        () => { stats.eventsPublished++; stats.eventsPending--; },
        (err: unknown) => { stats.eventsPending--; log.error({ code: errorCode(err), err: errorMessage(err), id: event.id }, 'fault event not delivered'); },
      );
    }
  };

  const every = (ms: number, fn: () => Promise<void> | void): void => {
    const tick = async (): Promise<void> => {
      const started = now();
      try { await fn(); } catch (err) { log.error({ code: errorCode(err), err: errorMessage(err) }, 'periodic task failed'); }
      if (stopping) return;
      const t = setTimeout(() => { timers.delete(t); void tick(); }, Math.max(0, ms - (now() - started)));
      timers.add(t);
    };
    void tick();
  };

  link.start();

  if (poller && config.modbus) {
    const threshold = config.modbus.failuresBeforeCommLoss;
    every(config.modbus.pollIntervalMs, async () => {
      stats.polls++;
      let samples: Sample[];
      try {
        samples = await poller.pollAll();
      } catch (err) {
        stats.pollErrors++;
        log.warn({ code: errorCode(err), err: errorMessage(err) }, 'modbus poll failed');
        emit(detectComm(detector, false, threshold));
        return;
      }
      emit(detectComm(detector, true, threshold));
      record(samples);
      emit(detect(adapter, detector, new Map(samples.map((s) => [s.parameter, s])), now()));
    });
  }
  if (config.system.enabled) {
    every(config.system.intervalMs, async () => record(await readSystemMetrics(now)));
  }
  if (config.telemetry.intervalMs > 0) {
    every(config.telemetry.intervalMs, () => {
      if (telemetry.length === 0 || !link.connected) return;
      link.publishTelemetry({ device, site, samples: telemetry });
      telemetry = [];
    });
  }
  every(config.status.intervalMs, () => link.publishStatus({
    device, site, timeMs: now(), uptimeS: (now() - startedMs) / 1000, outboxDepth: stats.eventsPending,
    pollErrors: stats.pollErrors, eventsPublished: stats.eventsPublished,
  }));

  log.info({ adapter: adapter.id, sessionId, modbus: config.modbus ? `${config.modbus.host}:${config.modbus.port}` : 'off', mqtt: config.mqtt.url }, 'agent started');

  return {
    adapter, sessionId,
    stats: () => ({ ...stats, rpcAnswered: rpc?.answered ?? 0, rpcBadRequests: rpc?.badRequests ?? 0 }),
    recentEvents: () => [...recent],
    stop: async () => {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await link.stop();
      await poller?.stop();
      log.info('agent stopped');
    },
  };
}
