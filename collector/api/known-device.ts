/** A device the registry knows, else the API's 404 (FL_ERR_DEVICE_UNKNOWN) naming it. */
import type { DeviceState } from '../core/devices/device-registry.js';
import type { QueryPort } from '../store/port.js';
import { deviceError } from './device-errors.js';
import type { DeviceParams } from './device-schemas.js';

export async function knownDevice(store: Pick<QueryPort, 'device'>, p: DeviceParams): Promise<DeviceState> {
  const d = await store.device(p.site, p.device);
  if (!d) {
    throw deviceError('FL_ERR_DEVICE_UNKNOWN', `no device ${p.site}/${p.device}`, {
      context: { site: p.site, device: p.device }, hint: 'GET /api/devices lists the devices the collector has heard from',
    });
  }
  return d;
}
