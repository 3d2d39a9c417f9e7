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
/** Transaction-level: shared by every desk unit of work, exclusive for a unit whose scope is `{ all: true }`. */
export const ADVISORY_LOCK_DESK_ALL = 3;
/** Transaction-level: held from reading the audit chain's head until the appending transaction ends. */
export const ADVISORY_LOCK_AUDIT = 4;
/**
 * Transaction-level, one per site (second key = hashtext(site)): a desk unit's decisions read the
 * site's flood state, site parents and site-wide correlation, so units of one site take turns.
 * Taken before the device locks, sites sorted, so two collectors cannot deadlock.
 */
export const ADVISORY_LOCK_SITE_CLASS = 0x464e;
/**
 * Transaction-level, one per desk timer (second key = hashtext('kind/key')), only ever tried
 * (pg_try_advisory_xact_lock): held by the collector firing that timer, so the others skip it at
 * once instead of queueing on its scope's locks. Never waited on, so it cannot deadlock.
 */
export const ADVISORY_LOCK_TIMER_CLASS = 0x464f;
/** Transaction-level: held while the last-admin rule is checked and a user change applied. */
export const ADVISORY_LOCK_USERS = 5;
/** Transaction-level: held while a broker credential takes the next change number. */
export const ADVISORY_LOCK_CREDENTIAL_CHANGES = 6;
