/**
 * Every error code faultline uses, in one table: the HTTP status the API answers it with, and what
 * it means. Codes are stable (FL_ERR_<AREA>_<WHAT>): callers, logs, dashboards and scripts branch on
 * them. A new error is a new row here first; FaultlineError accepts only codes from this table.
 * Codes the API never returns (agent, simulator, CLI) carry the status they would have.
 */
export interface ErrorEntry {
  status: number;
  meaning: string;
}

export const ERROR_CATALOGUE = {
  // Firmware adapters
  FL_ERR_ADAPTER_FILE: { status: 400, meaning: 'an adapter file cannot be read or parsed' },
  FL_ERR_ADAPTER_INVALID: { status: 400, meaning: 'an adapter definition breaks the adapter schema' },
  FL_ERR_ADAPTER_NO_MATCH: { status: 400, meaning: 'no adapter matches the device model' },
  FL_ERR_ADAPTER_UNKNOWN: { status: 400, meaning: 'the adapter id named in the config does not exist' },
  // Alarms (ISA-18.2)
  FL_ERR_ALARM_INVALID_TRANSITION: { status: 409, meaning: 'the alarm is not in a state that allows this action' },
  FL_ERR_ALARM_REASON_REQUIRED: { status: 400, meaning: 'the action needs a reason' },
  FL_ERR_ALARM_SHELVE_DURATION: { status: 400, meaning: 'the shelve duration is outside the allowed range' },
  // Audit trail checkpoints
  FL_ERR_AUDIT_CHECKPOINT: { status: 500, meaning: 'the audit checkpoint file or its key cannot be read, written or trusted' },
  FL_ERR_AUDIT_SYSLOG: { status: 503, meaning: 'an audit checkpoint could not be sent to the syslog server (it is still in the checkpoint file)' },
  // Paging (e-mail notifications and their acknowledge links)
  FL_ERR_PAGE_LINK_INVALID: { status: 400, meaning: 'an acknowledge link is malformed or its signature does not match' },
  FL_ERR_PAGE_LINK_EXPIRED: { status: 410, meaning: 'an acknowledge link has expired' },
  FL_ERR_PAGE_LINK_USED: { status: 409, meaning: 'an acknowledge link was already used (the ticket is acknowledged)' },
  FL_ERR_PAGE_SMTP_CONFIG: { status: 400, meaning: 'the SMTP settings are incomplete or unreadable' },
  // HTTP API
  FL_ERR_API_BAD_REQUEST: { status: 400, meaning: 'the request is malformed or breaks the route\'s schema' },
  FL_ERR_API_BAD_CURSOR: { status: 400, meaning: 'a page cursor is malformed or belongs to another sort order; start again without it' },
  FL_ERR_API_BUSY: { status: 503, meaning: 'too many requests of this kind are open; try again shortly' },
  FL_ERR_API_CONFIG: { status: 500, meaning: 'the API is configured wrongly (e.g. a bad trusted proxy)' },
  FL_ERR_API_LISTEN: { status: 500, meaning: 'the HTTP server cannot listen on its address' },
  FL_ERR_API_NOT_FOUND: { status: 404, meaning: 'no such route or object' },
  FL_ERR_API_ROUTE_UNPROTECTED: { status: 500, meaning: 'a route has no role policy (a programming error caught at start)' },
  // Authentication and authorisation
  FL_ERR_AUTH_FAILED: { status: 401, meaning: 'wrong user name or password' },
  FL_ERR_AUTH_REQUIRED: { status: 401, meaning: 'sign in or send an API token' },
  FL_ERR_AUTH_THROTTLED: { status: 429, meaning: 'too many failed logins; wait before trying again' },
  FL_ERR_CSRF: { status: 403, meaning: 'the CSRF header is missing or wrong' },
  FL_ERR_FORBIDDEN: { status: 403, meaning: 'the caller\'s role does not allow this' },
  // Embedded broker
  FL_ERR_BROKER_CONNECT: { status: 503, meaning: 'the collector cannot connect to the external MQTT broker' },
  FL_ERR_BROKER_SHARED_CONFIG: { status: 500, meaning: 'the shared subscription (group, topics, members) is configured wrongly' },
  FL_ERR_BROKER_SUBSCRIBE: { status: 503, meaning: 'the external broker refused the collector\'s subscription' },
  FL_ERR_BROKER_CONFIG: { status: 500, meaning: 'the broker\'s listeners are configured wrongly' },
  FL_ERR_BROKER_LISTEN: { status: 500, meaning: 'the broker cannot listen on its address' },
  FL_ERR_BROKER_STOPPED: { status: 503, meaning: 'the broker is stopped' },
  FL_ERR_BROKER_TLS: { status: 500, meaning: 'the broker\'s TLS certificate or key cannot be used' },
  FL_ERR_BROKER_PUBLISH: { status: 503, meaning: 'a message to a device could not be handed to the broker' },
  FL_ERR_BROKER_URL: { status: 400, meaning: 'the external broker URL or its options are unusable' },
  // Desk config
  FL_ERR_CONFIG_INVALID: { status: 400, meaning: 'the desk config breaks its schema or its rules' },
  FL_ERR_CONFIG_NO_FILE: { status: 409, meaning: 'the collector runs on built-in defaults: there is no file to reload' },
  FL_ERR_CONFIG_READ: { status: 400, meaning: 'the desk config file cannot be read' },
  FL_ERR_CONFIG_YAML: { status: 400, meaning: 'the desk config file is not valid YAML' },
  FL_ERR_DESK_UNKNOWN_MEMBER: { status: 400, meaning: 'no such team member' },
  FL_ERR_DESK_UNKNOWN_TEAM: { status: 400, meaning: 'no such team' },
  FL_ERR_ONCALL_ROTATION_INVALID: { status: 400, meaning: 'an on-call rotation is not usable' },
  FL_ERR_ROUTING_INVALID: { status: 400, meaning: 'a routing rule is not usable' },
  FL_ERR_SLA_CALENDAR_INVALID: { status: 400, meaning: 'a business-hours calendar is not usable' },
  FL_ERR_SLA_CALENDAR_NO_TIME: { status: 400, meaning: 'a calendar has no working time at all' },
  FL_ERR_SLA_CALENDAR_UNKNOWN: { status: 400, meaning: 'a policy names a calendar that does not exist' },
  FL_ERR_SLA_CLOCK_STATE: { status: 500, meaning: 'an SLA clock was asked to move in a way its state does not allow' },
  FL_ERR_SLA_POLICY_INVALID: { status: 400, meaning: 'an SLA policy is not usable' },
  FL_ERR_TIME_FORMAT: { status: 400, meaning: 'a time of day or date is not in the expected format' },
  FL_ERR_TIME_ZONE_UNKNOWN: { status: 400, meaning: 'an IANA time zone name is unknown' },
  // Devices, credentials and write keys
  FL_ERR_DEVICE_CREDENTIAL_UNKNOWN: { status: 404, meaning: 'the device has no active credential or write key' },
  FL_ERR_DEVICE_NO_WRITE_KEY: { status: 409, meaning: 'the collector holds no write key for the device, so it cannot sign writes' },
  FL_ERR_DEVICE_UNKNOWN: { status: 404, meaning: 'the collector has not heard from this device' },
  FL_ERR_DEVICE_WRITE_UNCONFIRMED: { status: 400, meaning: 'a write needs "confirm": true' },
  FL_ERR_DYNSEC_COMMAND: { status: 502, meaning: 'Mosquitto\'s dynamic-security plugin refused a command' },
  FL_ERR_DYNSEC_CONNECT: { status: 503, meaning: 'the dynamic-security admin cannot connect to Mosquitto' },
  FL_ERR_DYNSEC_DENIED: { status: 502, meaning: 'the broker user has no right to administer dynamic security' },
  FL_ERR_DYNSEC_TIMEOUT: { status: 504, meaning: 'Mosquitto did not answer a dynamic-security command in time' },
  FL_ERR_SECURITY_HTTP_AUTH_SECRET: { status: 500, meaning: 'the broker HTTP-auth secret is missing or too short' },
  FL_ERR_SECURITY_CREDENTIAL_EXISTS: { status: 409, meaning: 'the credential exists; pass replace to rotate it' },
  FL_ERR_SECURITY_HASH_FORMAT: { status: 500, meaning: 'a stored password hash is not in a known format' },
  FL_ERR_SECURITY_KEY_FILE: { status: 500, meaning: 'the device-key file cannot be read or created' },
  FL_ERR_SECURITY_SCHEMA: { status: 500, meaning: 'the database lacks the credential tables' },
  FL_ERR_SECURITY_SERVICE_NAME: { status: 400, meaning: 'a service credential name is not valid' },
  FL_ERR_SECURITY_WRITE_KEY_SEALED: { status: 409, meaning: 'a write key cannot be unsealed with this collector\'s key file' },
  // Tickets, priority, escalation
  FL_ERR_ESCALATION_TOP_TIER: { status: 409, meaning: 'the ticket is already at the top tier' },
  FL_ERR_ESCALATION_UNKNOWN_TEAM: { status: 409, meaning: 'the ticket\'s team is not in the config' },
  FL_ERR_PRIORITY_OVERRIDE_INVALID: { status: 400, meaning: 'a priority override needs a priority and a reason' },
  FL_ERR_TICKET_FAULT_ACTIVE: { status: 409, meaning: 'the device still shows the fault' },
  FL_ERR_TICKET_FIELD_REQUIRED: { status: 400, meaning: 'a required ticket field is empty' },
  FL_ERR_TICKET_INVALID_TRANSITION: { status: 409, meaning: 'the ticket is not in a state that allows this action' },
  FL_ERR_TICKET_RATING_INVALID: { status: 400, meaning: 'a satisfaction rating is 1 to 5' },
  FL_ERR_TICKET_RESOLUTION_REQUIRED: { status: 400, meaning: 'resolving needs the cause and the action' },
  // Ingest and store
  FL_ERR_INGEST_STOPPED: { status: 503, meaning: 'ingest is stopped; the message was not stored' },
  FL_ERR_INGEST_WRONG_TOPIC: { status: 400, meaning: 'the topic is not one faultline ingests' },
  FL_ERR_RECEIPT_SEND: { status: 503, meaning: 'a receipt could not be published to the device (the agent resends the events; harmless)' },
  FL_ERR_KB_SCHEMA: { status: 500, meaning: 'the database lacks the knowledge-base tables' },
  FL_ERR_STORE_MIGRATION_FAILED: { status: 500, meaning: 'a schema migration failed; nothing of it was applied' },
  FL_ERR_STORE_MIGRATION_LOCK: { status: 503, meaning: 'another collector holds the migration lock too long' },
  FL_ERR_STORE_MIGRATION_ORDER: { status: 500, meaning: 'migrations are not in increasing version order' },
  FL_ERR_STORE_PG_BIGINT: { status: 500, meaning: 'a PostgreSQL bigint does not fit a JavaScript number' },
  FL_ERR_STORE_PG_CHANNEL: { status: 500, meaning: 'a LISTEN/NOTIFY channel name is not valid' },
  FL_ERR_STORE_PG_LISTEN: { status: 503, meaning: 'the PostgreSQL listener connection failed' },
  FL_ERR_STORE_PG_NOTIFY_SIZE: { status: 500, meaning: 'a NOTIFY payload is larger than PostgreSQL allows' },
  FL_ERR_STORE_PG_URL: { status: 400, meaning: 'the PostgreSQL URL is not valid' },
  FL_ERR_STORE_TELEMETRY_TIME: { status: 400, meaning: 'a telemetry time is outside the partitions kept' },
  FL_ERR_STORE_TICKET_DAY: { status: 500, meaning: 'a ticket day counter could not be taken' },
  FL_ERR_STORE_TIMER_CLAIM: { status: 500, meaning: 'a due timer could not be claimed' },
  FL_ERR_STORE_OPEN: { status: 500, meaning: 'the store cannot be opened' },
  FL_ERR_STORE_DIR_IN_USE: { status: 409, meaning: 'another collector holds the data directory' },
  FL_ERR_STORE_BACKUP: { status: 500, meaning: 'a backup or restore of the SQLite store failed' },
  FL_ERR_STORE_FULL: { status: 503, meaning: 'the disk under the database is full: the collector is read-only until space returns' },
  FL_ERR_STORE_SCOPE: { status: 500, meaning: 'a desk unit of work read or wrote outside the scope it named (PostgreSQL store)' },
  FL_ERR_STORE_SCHEMA_NEWER: { status: 500, meaning: 'the database was written by a newer collector' },
  FL_ERR_STORE_UNAVAILABLE: { status: 503, meaning: 'the store cannot be reached (a networked database is down)' },
  FL_ERR_STORE_WRITE: { status: 503, meaning: 'the store could not commit; the sender will redeliver' },
  FL_ERR_INTERNAL: { status: 500, meaning: 'an unexpected error; see the log' },
  FL_ERR_DESK_EVENT_FAILED: { status: 500, meaning: 'the desk could not process an event; it is stored without desk changes' },
  FL_ERR_USAGE: { status: 400, meaning: 'a command line is wrong; the command shows its usage' },
  // Agent: sources, outbox, MQTT
  FL_ERR_LOG_CONFIG: { status: 400, meaning: 'a followed log is configured wrongly' },
  FL_ERR_LOG_PATTERN: { status: 400, meaning: 'a log pattern is not a usable regular expression' },
  FL_ERR_LOG_STATE: { status: 500, meaning: 'the saved log read positions cannot be used' },
  FL_ERR_MODBUS_CONNECT: { status: 502, meaning: 'the Modbus device or gateway cannot be reached' },
  FL_ERR_MODBUS_CRC: { status: 502, meaning: 'a Modbus RTU reply failed its CRC check' },
  FL_ERR_MODBUS_DECODE: { status: 502, meaning: 'a Modbus reply cannot be decoded as the adapter says' },
  FL_ERR_MODBUS_EXCEPTION: { status: 502, meaning: 'the Modbus device answered with an exception' },
  FL_ERR_MODBUS_IO: { status: 502, meaning: 'the Modbus link failed mid-request' },
  FL_ERR_MODBUS_REPLY: { status: 502, meaning: 'a Modbus reply is malformed' },
  FL_ERR_MODBUS_STOPPED: { status: 503, meaning: 'the Modbus bus is stopped' },
  FL_ERR_MODBUS_TIMEOUT: { status: 504, meaning: 'the Modbus device did not answer in time' },
  FL_ERR_MQTT_CONFIG: { status: 400, meaning: 'the MQTT connection is configured wrongly' },
  FL_ERR_MQTT_TLS_CONFIG: { status: 400, meaning: 'the MQTT TLS settings are not usable' },
  FL_ERR_MQTT_TLS_FILE: { status: 400, meaning: 'an MQTT TLS file cannot be read' },
  FL_ERR_MQTT_WRONG_DEVICE: { status: 400, meaning: 'a message names another device than its sender' },
  FL_ERR_NETWORK: { status: 502, meaning: 'a network operation failed' },
  FL_ERR_OUTBOX_CLOSED: { status: 503, meaning: 'the outbox is closed' },
  FL_ERR_OUTBOX_CONFIG: { status: 400, meaning: 'the outbox limits are configured wrongly' },
  FL_ERR_OUTBOX_CORRUPT: { status: 500, meaning: 'the outbox file is damaged' },
  FL_ERR_OUTBOX_LOCKED: { status: 409, meaning: 'another agent holds the outbox' },
  FL_ERR_OUTBOX_OPEN: { status: 500, meaning: 'the outbox cannot be opened' },
  FL_ERR_OUTBOX_SCHEMA_NEWER: { status: 500, meaning: 'the outbox was written by a newer agent' },
  FL_ERR_OUTBOX_TOO_LARGE: { status: 400, meaning: 'a message is larger than the outbox allows' },
  FL_ERR_OUTBOX_WRITE: { status: 500, meaning: 'the outbox could not write (disk full?)' },
  FL_ERR_SYSTEM_LOAD: { status: 500, meaning: 'system metrics cannot be read' },
  FL_ERR_SYSTEM_TIMEOUT: { status: 504, meaning: 'reading system metrics took too long' },
  // Agent package
  FL_ERR_PACKAGE_ARCH: { status: 400, meaning: 'the package was built for another platform or architecture (or none is known for it)' },
  FL_ERR_PACKAGE_BUNDLE: { status: 500, meaning: 'the agent bundle to package is missing or stale (run npm run build)' },
  FL_ERR_PACKAGE_MODULE_MISSING: { status: 500, meaning: 'a run-time module the package needs is not installed' },
  FL_ERR_PACKAGE_NODE: { status: 400, meaning: 'the package was built for another Node.js major version (ABI)' },
  FL_ERR_PACKAGE_PLATFORM: { status: 400, meaning: 'agent packages are built on Linux only' },
  FL_ERR_PACKAGE_SMOKE: { status: 500, meaning: 'the staged package did not run' },
  FL_ERR_PACKAGE_TOOL: { status: 500, meaning: 'a packaging tool (tar, gzip, dpkg-deb) is missing or failed' },
  FL_ERR_PACKAGE_VERSION: { status: 400, meaning: 'the package revision is not a valid Debian revision' },
  // Wire
  FL_ERR_PROTO_DECODE: { status: 400, meaning: 'a payload is not a valid protobuf message of its kind' },
  FL_ERR_PROTO_INVALID: { status: 400, meaning: 'a decoded message breaks the wire contract' },
  FL_ERR_TOPIC_ID: { status: 400, meaning: 'a site or device id is not valid' },
  FL_ERR_TOPIC_MALFORMED: { status: 400, meaning: 'a topic is not fl/v1/{site}/{device}/{kind}' },
  // Device requests (RPC), as the agent or the collector reports them
  FL_ERR_RPC_BAD_VALUE: { status: 422, meaning: 'a write value is not allowed for its parameter' },
  FL_ERR_RPC_BUSY: { status: 503, meaning: 'too many device requests in flight' },
  FL_ERR_RPC_DEVICE_ERROR: { status: 502, meaning: 'the device refused the request' },
  FL_ERR_RPC_DEVICE_NOT_ANSWERING: { status: 502, meaning: 'the agent is up but the device behind it did not answer' },
  FL_ERR_RPC_DUPLICATE_ID: { status: 500, meaning: 'a request id is already waiting' },
  FL_ERR_RPC_NOT_WRITABLE: { status: 422, meaning: 'the parameter is not writable' },
  FL_ERR_RPC_OFFLINE: { status: 503, meaning: 'the device is not connected' },
  FL_ERR_RPC_TIMEOUT: { status: 504, meaning: 'the device did not answer in time' },
  FL_ERR_RPC_UNAUTHORIZED: { status: 409, meaning: 'the agent refused the write signature: the write keys differ' },
  FL_ERR_RPC_UNAVAILABLE: { status: 503, meaning: 'device requests are unavailable' },
  FL_ERR_RPC_WRITE_NOT_APPLIED: { status: 502, meaning: 'the write was sent but reading the register back shows it was not applied' },
  FL_ERR_RPC_WRITE_REFUSED: { status: 502, meaning: 'the device refused the write (a Modbus exception); nothing was applied' },
  FL_ERR_RPC_WRITE_UNKNOWN: { status: 504, meaning: 'neither the write nor a read-back answered: whether it was applied is unknown (the write route answers it as 202 with outcome unknown)' },
  FL_ERR_RPC_UNKNOWN_PARAMETER: { status: 422, meaning: 'the device has no such parameter' },
  // Simulator
  FL_ERR_SIM_LISTEN: { status: 500, meaning: 'the simulator cannot listen on its port' },
  FL_ERR_SIM_NOT_WRITABLE: { status: 400, meaning: 'the simulated register is not writable' },
  FL_ERR_SIM_UNKNOWN_FAULT: { status: 400, meaning: 'the adapter cannot simulate this fault' },
  // Webhook deliveries
  FL_ERR_WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, meaning: 'no such webhook delivery' },
  FL_ERR_WEBHOOK_NOT_FAILED: { status: 409, meaning: 'only a failed webhook delivery can be sent again' },
  // Users and tokens
  FL_ERR_TOKEN_NOT_FOUND: { status: 404, meaning: 'no such API token' },
  FL_ERR_USER_EXISTS: { status: 409, meaning: 'a user of that name exists' },
  FL_ERR_USER_INVALID: { status: 400, meaning: 'a user name, role or password is not acceptable' },
  FL_ERR_USER_LAST_ADMIN: { status: 409, meaning: 'this would leave no enabled admin' },
  FL_ERR_USER_NOT_FOUND: { status: 404, meaning: 'no such user' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The HTTP status an error code is answered with. */
export function errorStatus(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
