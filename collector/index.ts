/** The collector's public face. */
export { startCollector, urlFor, DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, type CollectorOptions, type RunningCollector } from './collector.js';
export { collectorCommand, COLLECTOR_USAGE } from './cli.js';
