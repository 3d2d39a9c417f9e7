/**
 * Live signals between collectors (store/postgres/live-signals.ts), the pure half: which devices a
 * batch names, notifications that each fit PostgreSQL's 8000-byte limit and together name every
 * device once, and parsing that ignores this collector's own and refuses what is not a signal.
 */
import t from 'tap';
import type { IngestMessage } from '../../collector/core/devices/ingest-message.js';
import { liveDevicesOf, livePayloads, parseLiveSignal, parseSettingsSignal, settingsPayload } from '../../collector/store/postgres/live-signals.js';
import { MAX_NOTIFY_BYTES } from '../../collector/store/postgres/notifier.js';

const tel = (device: string, site = 'plant-a'): IngestMessage => ({ kind: 'telemetry', receivedMs: 1, telemetry: { site, device, samples: [] } });

t.test('a batch names each device with telemetry once, and each born or dead device once; events and statuses name none', async (t) => {
  const batch: IngestMessage[] = [
    tel('drive-1'), tel('drive-2'), tel('drive-1'), tel('drive-1', 'plant-b'),
    { kind: 'birth', receivedMs: 1, birth: { site: 'plant-a', device: 'drive-3', adapterId: 'x', model: 'm', firmware: 'f', agentVersion: 'a', parameters: [], timeMs: 1, sessionId: 's' } },
    { kind: 'death', receivedMs: 1, death: { site: 'plant-a', device: 'drive-3', timeMs: 2, sessionId: 's', reason: 'lost' } } as IngestMessage,
    { kind: 'status', receivedMs: 1, status: { site: 'plant-a', device: 'drive-4' } } as IngestMessage,
  ];
  t.same(liveDevicesOf(batch), {
    values: [{ site: 'plant-a', device: 'drive-1' }, { site: 'plant-a', device: 'drive-2' }, { site: 'plant-b', device: 'drive-1' }],
    presence: [{ site: 'plant-a', device: 'drive-3' }],
  });
  t.same(livePayloads('c1', [], []), [], 'nothing to name: no notification');
});

t.test('a big batch is split into notifications under the limit that name every device exactly once', async (t) => {
  const values = Array.from({ length: 2000 }, (_, i) => ({ site: `site-${i % 7}`, device: `press-line-drive-${i}` }));
  const presence = Array.from({ length: 300 }, (_, i) => ({ site: 'plant-a', device: `gw-${i}` }));
  const payloads = livePayloads('collector-7f3a', values, presence);
  t.ok(payloads.length > 1, `split into ${payloads.length} notifications`);
  t.ok(payloads.every((p) => Buffer.byteLength(p, 'utf8') <= MAX_NOTIFY_BYTES), 'each under PostgreSQL\'s limit');
  const parsed = payloads.map((p) => parseLiveSignal(p, 'someone-else'));
  const got = parsed.flatMap((p) => (p && p !== 'own' ? p.values : []));
  const born = parsed.flatMap((p) => (p && p !== 'own' ? p.presence : []));
  t.same(got, values, 'every device with values, once, in order');
  t.same(born, presence, 'every born or dead device, once');
  t.ok(payloads.slice(0, -1).every((p) => Buffer.byteLength(p, 'utf8') > MAX_NOTIFY_BYTES - 100), 'each full before the next starts (as few as fit)');
  // Multi-byte ids count in bytes, not characters.
  const wide = Array.from({ length: 400 }, (_, i) => ({ site: '工厂', device: `驱动器-${i}` }));
  t.ok(livePayloads('c', wide, [], 1000).every((p) => Buffer.byteLength(p, 'utf8') <= 1000), 'byte limit holds for multi-byte ids');
  t.same(livePayloads('c', [{ site: 'a', device: 'x'.repeat(2000) }], [], 1000), [], 'a key that cannot fit at all is left out, not sent over the limit');
});

t.test('parsing: own notifications are ignored, anything else that is not a signal is refused', async (t) => {
  const [payload] = livePayloads('me', [{ site: 'plant-a', device: 'drive-1' }], [{ site: 'plant-a', device: 'drive-2' }]);
  t.equal(parseLiveSignal(payload ?? '', 'me'), 'own');
  t.same(parseLiveSignal(payload ?? '', 'other'), { values: [{ site: 'plant-a', device: 'drive-1' }], presence: [{ site: 'plant-a', device: 'drive-2' }], resync: false });
  for (const bad of ['', 'not json', '[]', 'null', '{"o":1,"v":[],"p":[]}', '{"o":"x","v":[]}', '{"o":"x","v":{},"p":[]}']) {
    t.equal(parseLiveSignal(bad, 'me'), null, `refused: ${JSON.stringify(bad)}`);
  }
  t.same(parseLiveSignal('{"o":"x","v":[["a","b"],["a"],[1,2],"ab"],"p":[]}', 'me'), { values: [{ site: 'a', device: 'b' }], presence: [], resync: false }, 'malformed keys are dropped, good ones kept');

  t.equal(parseSettingsSignal(settingsPayload('me', 'on-call'), 'me'), 'own');
  t.same(parseSettingsSignal(settingsPayload('me', 'on-call'), 'other'), { onCallOverrides: true, pagingPrefs: false });
  t.same(parseSettingsSignal(settingsPayload('me', 'paging'), 'other'), { onCallOverrides: false, pagingPrefs: true });
  for (const bad of ['', '{}', '{"o":"x","k":"teams"}', '{"k":"paging"}']) t.equal(parseSettingsSignal(bad, 'me'), null, `refused: ${JSON.stringify(bad)}`);
});
