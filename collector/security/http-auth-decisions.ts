/**
 * Decisions for a broker that asks the collector over HTTP who may connect and what they may do
 * (EMQX's HTTP authentication and authorization; HiveMQ and VerneMQ have the same idea). Pure
 * functions over a looked-up credential and the embedded broker's rules (acl-rules.ts), so the
 * cluster's broker enforces exactly what the embedded one does:
 * - CONNECT: a known, unrevoked credential whose password matched; a device must use its agent's
 *   client id;
 * - PUBLISH / SUBSCRIBE: mayPublish / maySubscribe for the principal of that username.
 * Everything not positively allowed is denied, with a reason for the collector's log (the reason
 * is not sent to the broker).
 */
import { mayPublish, maySubscribe, mayUseClientId, type Principal } from './acl-rules.js';
import type { CredentialRecord } from '../store/port.js';

/** A credential as the store returns it for these decisions (never the password itself). */
export type BrokerCredential = Pick<CredentialRecord, 'id' | 'username' | 'kind' | 'site' | 'device' | 'name' | 'revokedMs' | 'changeSeq'>;

export type HttpAuthDecision = { result: 'allow' } | { result: 'deny'; reason: string };

const ALLOW: HttpAuthDecision = { result: 'allow' };
const deny = (reason: string): HttpAuthDecision => ({ result: 'deny', reason });

/** The principal of a credential, or why there is none. */
export function principalOf(c: BrokerCredential | undefined): Principal | string {
  if (!c) return 'unknown user name';
  if (c.revokedMs !== null) return `credential ${c.username} was revoked`;
  if (c.kind === 'device') {
    if (c.site === null || c.device === null) return `device credential ${c.username} has no site/device`;
    return { kind: 'device', username: c.username, site: c.site, device: c.device, credentialId: c.id, changeSeq: c.changeSeq };
  }
  if (c.name === null) return `service credential ${c.username} has no name`;
  return { kind: 'service', username: c.username, name: c.name, credentialId: c.id, changeSeq: c.changeSeq };
}

export interface ConnectQuestion {
  credential: BrokerCredential | undefined;
  /** Whether the password given matched the credential's hash (false when there is no credential). */
  passwordOk: boolean;
  clientId: string;
}

export function decideConnect(q: ConnectQuestion): HttpAuthDecision {
  const p = principalOf(q.credential);
  if (typeof p === 'string') return deny(p);
  if (!q.passwordOk) return deny(`wrong password for ${p.kind === 'anonymous' ? 'anonymous' : p.username}`);
  const id = mayUseClientId(p, q.clientId);
  return id.ok ? ALLOW : deny(id.reason);
}

export const ACCESS_ACTIONS = ['publish', 'subscribe'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export interface AccessQuestion {
  credential: BrokerCredential | undefined;
  action: AccessAction;
  /** The topic published to, or the filter subscribed to. */
  topic: string;
}

export function decideAccess(q: AccessQuestion): HttpAuthDecision {
  const p = principalOf(q.credential);
  if (typeof p === 'string') return deny(p);
  const d = q.action === 'publish' ? mayPublish(p, q.topic) : maySubscribe(p, q.topic);
  return d.ok ? ALLOW : deny(d.reason);
}
