/** The embedded MQTT broker. */
export { MqttBroker, acceptAllClients, type MqttBrokerOptions, type Authenticate } from './mqtt-broker.js';
export { createPublishGate, type IngestHandler } from './publish-gate.js';
