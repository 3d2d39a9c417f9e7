/**
 * The agent bundle replaces the `debug` package with a no-op (agent/bundle.mjs: mqtt.js calls it
 * dozens of times per publish) unless DEBUG is set when the agent starts: then mqtt.js's own trace
 * still comes out, as its documentation says. A real agent process (the CLI) trying to reach a
 * broker that is not there.
 */
import t from 'tap';
import { startOfflineAgent } from '../helpers/offline-agent.js';
import { waitFor } from '../helpers/wait.js';

t.test('DEBUG=mqttjs* traces the MQTT client; without it nothing of it is printed', async (t) => {
  const traced = await startOfflineAgent(t, '{ normal: 1000 }', { DEBUG: 'mqttjs*' });
  const quiet = await startOfflineAgent(t, '{ normal: 1000 }', { DEBUG: '' });
  await waitFor('mqtt.js tracing its connect attempt', () => (/mqttjs/.test(traced.stderr()) ? true : undefined), 15_000);
  await waitFor('the other agent polling too', () => (quiet.requests() >= 2 ? true : undefined), 15_000);
  t.match(traced.stderr(), /mqttjs:client/, 'the real debug package, loaded because DEBUG was set');
  t.notMatch(quiet.stderr(), /mqttjs/, 'no trace without DEBUG');
  t.notMatch(traced.stderr() + quiet.stderr(), /FL_ERR_INTERNAL|TypeError/, 'no error from the stand-in');
});
