/**
 * The agent's composition root: one device channel per configured device, Modbus buses shared
 * by the devices behind the same connection. Owns start order and shutdown.
 */
import type { Logger } from '../protocol/logger.js';
import { ADAPTERS, adapterById, adapterFor } from '../firmware-adapters/index.js';
import type { Adapter } from '../firmware-adapters/schema.js';
import type { FaultEvent } from '../protocol/values.js';
import type { AgentConfig, DeviceConfig } from './config/agent-config-schema.js';
import { DeviceChannel, type ChannelStats } from './device-channel.js';
import { inlineAdapter } from './config/inline-adapter.js';
import { busKey, ModbusBus } from './sources/modbus-bus.js';
import { openOutbox } from './outbox/index.js';
import { redactUrl } from './mqtt/client-options.js';
import { join } from 'node:path';

export { AGENT_VERSION, parameterCatalogue } from './device-channel.js';

export interface RunningAgent {
  readonly channels: readonly DeviceChannel[];
  /** Stats of one device (the first when none is named). */
  stats(device?: string): ChannelStats;
  /** Recent events of one device (the first when none is named), oldest first. */
  recentEvents(device?: string): readonly FaultEvent[];
  stop(): Promise<void>;
}

export function resolveAdapter(device: DeviceConfig, adapters: readonly Adapter[] = ADAPTERS): Adapter {
  if (device.registers) return inlineAdapter(device);
  return device.adapter ? adapterById(device.adapter, adapters) : adapterFor(device.model, device.firmware, adapters);
}

export async function startAgent(config: AgentConfig, opts: { log: Logger; now?: () => number; adapters?: readonly Adapter[] }): Promise<RunningAgent> {
  const now = opts.now ?? Date.now;
  const outbox = openOutbox({ file: config.outbox.file ?? join(config.stateDir, 'outbox.db'), maxBytes: config.outbox.maxBytes, fsyncTelemetry: config.outbox.fsyncTelemetry, log: opts.log.child({ part: 'outbox' }), now });
  const buses = new Map<string, ModbusBus>();
  const channels = config.devices.map((device) => {
    const log = opts.log.child({ device: device.id, site: device.site });
    let bus: ModbusBus | null = null;
    if (device.modbus) {
      const key = busKey(device.modbus);
      bus = buses.get(key) ?? new ModbusBus(device.modbus, opts.log.child({ bus: key }));
      buses.set(key, bus);
    }
    return new DeviceChannel({ device, adapter: resolveAdapter(device, opts.adapters), agent: config, bus, outbox, log, now });
  });
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(channels.map((c) => c.stop()));
    await Promise.allSettled([...buses.values()].map((b) => b.stop()));
    outbox.close();
  };
  try {
    for (const c of channels) await c.start();
  } catch (err) {
    await stopAll();
    throw err;
  }
  opts.log.info({ devices: channels.length, buses: buses.size, mqtt: redactUrl(config.mqtt.url) }, 'agent started');

  const channel = (device?: string): DeviceChannel => {
    const c = device === undefined ? channels[0] : channels.find((x) => x.device.id === device);
    if (!c) throw new Error(`no device "${String(device)}" in this agent`);
    return c;
  };
  let stopped = false;
  return {
    channels,
    stats: (device) => channel(device).stats(),
    recentEvents: (device) => channel(device).recentEvents(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopAll();
      opts.log.info('agent stopped');
    },
  };
}
