/** Broker security: device/service credentials, the MQTT ACL, refusal counters, the `faultline device` CLI. */
export { BrokerSecurity, AUTH_MODES, DEFAULT_SWEEP_MS, type AuthMode, type BrokerSecurityOptions } from './broker-security.js';
export {
  deviceClientId, deviceUsername, serviceUsername, mayPublish, maySubscribe, mayUseClientId, mayLeaveWill, type Principal, type AclDecision,
} from './acl-rules.js';
export { SecurityCounters, REFUSAL_REASONS, type RefusalReason, type SecurityCountersSnapshot } from './security-counters.js';
export { SecurityHealthJson } from './health-schema.js';
export { deviceCommand, DEVICE_USAGE } from './cli.js';
export { provisionDeviceCredentials } from './provision.js';
export { DeviceProvisioning, type IssuedDevice } from './device-provisioning.js';
export { KEY_FILE, loadOrCreateKeyFile } from './key-file.js';
