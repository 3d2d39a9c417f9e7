/** The embedded MQTT broker. */
export {
  MqttBroker, acceptAllClients, type MqttBrokerOptions, type Authenticate, type AuthorizeSubscribe, type BrokerHooks, type PreConnect,
  type TlsListenerOptions,
} from './mqtt-broker.js';
export { createPublishGate, type IngestHandler, type PublishCheck } from './publish-gate.js';
