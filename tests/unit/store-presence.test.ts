/**
 * Device presence from the store (collector/rpc/store-presence.ts, cluster mode): online is what
 * the device registry says (birth without a later death); a device the store never heard of is
 * offline; one read serves the lookups within maxAgeMs and a later lookup reads again; a store
 * that fails means "cannot tell" (undefined) and is asked again next time.
 */
import t from 'tap';
import type { DeviceState } from '../../collector/core/devices/device-registry.js';
import { storePresence } from '../../collector/rpc/store-presence.js';

const device = (name: string, online: boolean): DeviceState => ({
  device: name, site: 'plant-a', online, model: '', firmware: '', adapterId: '', agentVersion: '', parameters: [], sessionId: 's',
  lastSeenMs: 0, lastBirthMs: 0, lastDeathMs: null, lastDeathReason: '', lastStatus: null,
});

t.test('online, offline, unknown; cached for maxAgeMs; a failing store is "cannot tell"', async (t) => {
  let now = 1000;
  let reads = 0;
  let devices: DeviceState[] = [device('drive-1', true), device('drive-2', false)];
  let failing = false;
  const presence = storePresence({
    listDevices: async () => {
      reads++;
      if (failing) throw new Error('connection refused');
      return devices;
    },
  }, () => now, 500);

  t.equal(await presence({ site: 'plant-a', device: 'drive-1' }), true, 'born, no death: online');
  t.equal(await presence({ site: 'plant-a', device: 'drive-2' }), false, 'died: offline');
  t.equal(await presence({ site: 'plant-a', device: 'drive-9' }), false, 'never heard of: offline');
  t.equal(await presence({ site: 'plant-b', device: 'drive-1' }), false, 'same device id on another site: offline');
  t.equal(reads, 1, 'one read for lookups within maxAgeMs');

  devices = [device('drive-1', false)];
  now += 400;
  t.equal(await presence({ site: 'plant-a', device: 'drive-1' }), true, 'still the cached answer inside maxAgeMs');
  now += 200;
  t.equal(await presence({ site: 'plant-a', device: 'drive-1' }), false, 'read again after maxAgeMs: the death is seen');
  t.equal(reads, 2);

  failing = true;
  now += 1000;
  t.equal(await presence({ site: 'plant-a', device: 'drive-1' }), undefined, 'store down: cannot tell');
  failing = false;
  devices = [device('drive-1', true)];
  t.equal(await presence({ site: 'plant-a', device: 'drive-1' }), true, 'a failed read is not kept: the next lookup reads again');
  t.equal(reads, 4);
});
