/**
 * The PostgreSQL advisory locks faultline takes, in one list so two uses never share a key by
 * accident. Two-key form pg_advisory_lock(class, id): the class is 0x464C ("FL") for every
 * faultline lock, so other applications sharing the database are unlikely to collide.
 */
export const ADVISORY_LOCK_CLASS = 0x464c;
/** Held (session level) while checking and applying schema migrations. */
export const ADVISORY_LOCK_MIGRATIONS = 1;
/** Held (transaction level) while creating or dropping telemetry partitions. */
export const ADVISORY_LOCK_TELEMETRY_PARTITIONS = 2;
/**
 * Transaction-level, one per device (second key = hashtext('site/device')): taken by the ingest
 * unit of work before it applies a device's events, so two collectors never interleave one
 * device's alarm and ticket changes. A hash collision only makes two devices wait for each other.
 */
export const ADVISORY_LOCK_DEVICE_CLASS = 0x464d;
