/**
 * Who may do what on the embedded broker: pure rules over a principal and a topic (no I/O).
 *
 * - A device may publish only under its own `fl/v1/{site}/{device}/` (any kind but `rpc/req` and
 *   `receipt`, which are the collector's to send), may subscribe only to its own `rpc/req` and
 *   `receipt` (the collector's word that its events are stored), must connect
 *   with the agent's client id `fl-{site}-{device}` (so it cannot take over another device's
 *   session), and its last will must be one it could publish.
 * - A service (the collector's own clients, or a tool given a service credential) may publish
 *   and subscribe anywhere except `$SYS/`.
 * - Anonymous clients exist only while authentication is off (no credential exists, or it was
 *   turned off); they keep the open behaviour.
 */
import { TOPIC_ROOT } from '../../protocol/topics.js';

export type Principal =
  | { kind: 'device'; username: string; site: string; device: string; credentialId: number; changeSeq: number }
  | { kind: 'service'; username: string; name: string; credentialId: number | null; changeSeq: number }
  | { kind: 'anonymous' };

export type AclDecision = { ok: true } | { ok: false; reason: string };

const OK: AclDecision = { ok: true };
const refuse = (reason: string): AclDecision => ({ ok: false, reason });

export const SERVICE_PREFIX = 'service:';
/** Credentials the collector issues to its own in-process clients; never stored. */
export const INTERNAL_PREFIX = 'internal:';

export function deviceUsername(site: string, device: string): string {
  return `${site}/${device}`;
}

export function serviceUsername(name: string): string {
  return `${SERVICE_PREFIX}${name}`;
}

/** The client id the agent uses for a device (agent/mqtt-link.ts). */
export function deviceClientId(site: string, device: string): string {
  return `fl-${site}-${device}`.slice(0, 64);
}

function devicePrefix(p: { site: string; device: string }): string {
  return `${TOPIC_ROOT}/${p.site}/${p.device}/`;
}

/** Kinds a device publishes on its own prefix. */
const DEVICE_PUBLISH_KINDS = new Set(['birth', 'death', 'status', 'telemetry', 'event', 'rpc/res']);

export function mayPublish(p: Principal, topic: string): AclDecision {
  if (topic.startsWith('$SYS/')) return refuse('$SYS topics are reserved for the broker');
  if (p.kind !== 'device') return OK;
  const prefix = devicePrefix(p);
  if (!topic.startsWith(prefix)) return refuse(`device ${p.site}/${p.device} may publish only under ${prefix}`);
  const kind = topic.slice(prefix.length);
  if (!DEVICE_PUBLISH_KINDS.has(kind)) return refuse(`device ${p.site}/${p.device} may not publish ${kind === 'rpc/req' ? 'RPC requests' : `"${kind}"`}`);
  return OK;
}

/** Kinds a device subscribes to on its own prefix: what the collector sends it (written out: `receipt` is not an ingest kind). */
export const DEVICE_SUBSCRIBE_KINDS = ['rpc/req', 'receipt'] as const;

/** The exact topics a device may subscribe to (literal filters, no wildcards). */
export function deviceSubscribeTopics(site: string, device: string): string[] {
  return DEVICE_SUBSCRIBE_KINDS.map((kind) => `${devicePrefix({ site, device })}${kind}`);
}

export function maySubscribe(p: Principal, filter: string): AclDecision {
  if (p.kind !== 'device') return OK;
  const own = deviceSubscribeTopics(p.site, p.device);
  return own.includes(filter) ? OK : refuse(`device ${p.site}/${p.device} may subscribe only to ${own.join(' and ')}`);
}

export function mayUseClientId(p: Principal, clientId: string): AclDecision {
  if (p.kind !== 'device') return OK;
  const expected = deviceClientId(p.site, p.device);
  return clientId === expected ? OK : refuse(`device ${p.site}/${p.device} must connect with client id ${expected}`);
}

/** A last will is published on the client's behalf later, so it must be one the client could publish now. */
export function mayLeaveWill(p: Principal, willTopic: string | undefined): AclDecision {
  if (willTopic === undefined) return OK;
  const d = mayPublish(p, willTopic);
  return d.ok ? d : refuse(`last will refused: ${d.reason}`);
}
