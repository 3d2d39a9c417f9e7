import t from 'tap';
import { filterFor, parseTopic, topicFor } from '../../protocol/topics.js';

t.test('builds and parses every kind', async (t) => {
  for (const kind of ['birth', 'death', 'status', 'telemetry', 'event', 'rpc/req', 'rpc/res', 'receipt'] as const) {
    const topic = topicFor('plant-a', 'drive.01', kind);
    t.same(parseTopic(topic), { site: 'plant-a', device: 'drive.01', kind }, topic);
  }
  t.equal(filterFor('event'), 'fl/v1/+/+/event');
});

t.test('rejects malformed topics with FL_ERR_TOPIC_MALFORMED', async (t) => {
  const bad = [
    'fl/v2/s/d/event', 'xx/v1/s/d/event', 'fl/v1/s/d', 'fl/v1/s/d/nonsense', 'fl/v1/s/d/rpc/other',
    'fl/v1/+/d/event', 'fl/v1/s/#/event', 'fl/v1//d/event', 'fl/v1/s/d/event/extra/more', '', 'fl/v1/s p/d/event',
  ];
  for (const topic of bad) t.throws(() => parseTopic(topic), { code: 'FL_ERR_TOPIC_MALFORMED' }, JSON.stringify(topic));
});

t.test('refuses to build a topic from an id that is not safe', async (t) => {
  t.throws(() => topicFor('a/b', 'd', 'event'), { code: 'FL_ERR_TOPIC_ID' });
  t.throws(() => topicFor('s', '+', 'event'), { code: 'FL_ERR_TOPIC_ID' });
  t.throws(() => topicFor('s', 'x'.repeat(65), 'event'), { code: 'FL_ERR_TOPIC_ID' });
});
