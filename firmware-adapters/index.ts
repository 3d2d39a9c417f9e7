/** The adapter registry: every built-in device family, and how a device's model/firmware picks one. */
import { FaultlineError } from '../protocol/errors.js';
import genericPlc from './devices/generic-plc.js';
import genericVfd from './devices/generic-vfd.js';
import linuxGateway from './devices/linux-gateway.js';
import temperatureController from './devices/temperature-controller.js';
import threePhaseMeter from './devices/three-phase-meter.js';
import type { Adapter } from './schema.js';

export const ADAPTERS: readonly Adapter[] = [genericVfd, genericPlc, threePhaseMeter, temperatureController, linuxGateway];

export function adapterById(id: string, adapters: readonly Adapter[] = ADAPTERS): Adapter {
  const a = adapters.find((x) => x.id === id);
  if (!a) {
    throw new FaultlineError('FL_ERR_ADAPTER_UNKNOWN', `no adapter with id "${id}"`, {
      context: { adapter: id }, hint: `use one of: ${adapters.map((x) => x.id).join(', ')}`,
    });
  }
  return a;
}

/** First adapter whose model pattern (and firmware pattern, when it has one) matches. */
export function adapterFor(model: string, firmware: string, adapters: readonly Adapter[] = ADAPTERS): Adapter {
  const a = adapters.find((x) => new RegExp(x.match.model).test(model) && (!x.match.firmware || new RegExp(x.match.firmware).test(firmware)));
  if (!a) {
    throw new FaultlineError('FL_ERR_ADAPTER_NO_MATCH', `no adapter matches model "${model}" firmware "${firmware}"`, {
      context: { model, firmware }, hint: 'set `adapter:` explicitly in the device config or add an adapter file under firmware-adapters/devices/',
    });
  }
  return a;
}

export function registerByName(adapter: Adapter, name: string): Adapter['registers'][number] | undefined {
  return adapter.registers.find((r) => r.name === name);
}

export * from './schema.js';
export { validateAdapter, type AdapterProblem } from './validate.js';
export { decodeRegister, encodeRegister } from './register-codec.js';
export { planReads, type ReadRequest } from './read-plan.js';
