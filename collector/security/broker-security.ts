/**
 * The broker's security policy as hooks for MqttBroker: device and service credentials checked
 * at CONNECT, the ACL on every PUBLISH and SUBSCRIBE, every refusal counted and logged (user
 * name, client id, topic and reason; never a password). A sweep every few seconds drops sessions
 * whose credential was revoked or replaced (the `faultline device` CLI writes from another
 * process) and anonymous sessions once authentication has become required.
 *
 * Modes: 'auto' (default) requires credentials as soon as any exists in the database (revoked
 * ones included), so a fresh install is open until the first `faultline device add`; 'required'
 * always; 'off' never (development only: every client is anonymous and unrestricted).
 */
import { CLIP_AT, clipText } from '../../protocol/clip-text.js';
import type { Client, Subscription } from 'aedes';
import type { Logger } from '../../protocol/logger.js';
import type { AuthenticateError } from 'aedes';
import type { BrokerHooks } from '../broker/mqtt-broker.js';
import {
  INTERNAL_PREFIX, mayLeaveWill, mayPublish, maySubscribe, mayUseClientId, type AclDecision, type Principal,
} from './acl-rules.js';
import type { CredentialRecord, CredentialsPort } from '../store/port.js';
import { hashDeviceSecret, verifyDeviceSecret, verifyDeviceSecretAgainstNothing } from './device-secret-hash.js';
import { generatePassword } from './password-hash.js';
import { SecurityCounters, type RefusalReason, type SecurityCountersSnapshot } from './security-counters.js';

export const AUTH_MODES = ['auto', 'required', 'off'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const DEFAULT_SWEEP_MS = 5000;
/** The same refusal (reason + user + client id) is logged at most once per this period; all are counted. */
const LOG_EVERY_MS = 60_000;

export interface BrokerSecurityOptions {
  credentials: CredentialsPort;
  log: Logger;
  mode?: AuthMode;
  now?: () => number;
  sweepEveryMs?: number;
}

interface ConnectInfo {
  clientId: string;
  willTopic: string | undefined;
}

const ANONYMOUS: Principal = { kind: 'anonymous' };

function authError(returnCode: 4 | 5 | 2, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: returnCode as AuthenticateError['returnCode'] });
}

export class BrokerSecurity {
  readonly counters = new SecurityCounters();
  private readonly principals = new WeakMap<Client, Principal>();
  private readonly connecting = new WeakMap<Client, ConnectInfo>();
  /** In-memory service credentials for the collector's own clients: username → scrypt hash. */
  private readonly internal = new Map<string, string>();
  private readonly lastLogged = new Map<string, number>();
  private readonly mode: AuthMode;
  private readonly now: () => number;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private seenChange = 0;
  private clients: () => Iterable<Client> = () => [];
  /** Whether any device or service credential exists (auto mode requires authentication once one does). */
  private anyCredential = false;

  constructor(private readonly opts: BrokerSecurityOptions) {
    this.mode = opts.mode ?? 'auto';
    this.now = opts.now ?? Date.now;
  }

  /** Starts the revocation sweep over the broker's connected clients. */
  async start(clients: () => Iterable<Client>): Promise<void> {
    if (this.sweepTimer) return;
    this.clients = clients;
    this.seenChange = await this.opts.credentials.latestChange();
    if (this.mode === 'off') this.opts.log.warn('MQTT authentication is off: every client may publish and subscribe anywhere');
    else if (!(await this.refreshAuthRequired())) this.opts.log.warn('no device credentials yet: the broker accepts every client until the first `faultline device add`');
    this.sweepTimer = setInterval(() => { void this.sweep(); }, this.opts.sweepEveryMs ?? DEFAULT_SWEEP_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.internal.clear();
    this.lastLogged.clear();
  }

  /** Whether clients must authenticate, as of the last look at the credentials (every connect and sweep). */
  authRequired(): boolean {
    return this.mode === 'required' || (this.mode === 'auto' && this.anyCredential);
  }

  private async refreshAuthRequired(): Promise<boolean> {
    if (this.mode === 'auto') this.anyCredential = await this.opts.credentials.anyExists();
    return this.authRequired();
  }

  /** Whether clients must authenticate now (the credentials are looked at again). */
  async authState(): Promise<SecurityCountersSnapshot['auth']> {
    if (this.mode === 'off') return 'off';
    return (await this.refreshAuthRequired()) ? 'required' : 'open';
  }

  async snapshot(): Promise<SecurityCountersSnapshot> {
    return this.counters.snapshot(await this.authState());
  }

  /**
   * A service credential for one of the collector's own clients (e.g. the engineer RPC client):
   * random, kept in memory only (hashed), valid until stop(). Returns the password once.
   */
  async issueInternalCredential(name: string): Promise<{ username: string; password: string }> {
    const username = `${INTERNAL_PREFIX}${name}`;
    const password = generatePassword();
    this.internal.set(username, hashDeviceSecret(password));
    return { username, password };
  }

  /** The principal a connected client acts as (anonymous when unknown). */
  principalOf(client: Client | null): Principal {
    return client ? this.principals.get(client) ?? ANONYMOUS : { kind: 'service', username: 'broker', name: 'broker', credentialId: null, changeSeq: 0 };
  }

  readonly hooks: BrokerHooks = {
    preConnect: (client, packet, done) => {
      this.connecting.set(client, { clientId: packet.clientId, willTopic: packet.will?.topic });
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      this.authenticate(client, username, password).then(
        (err) => (err ? done(err, false) : done(null, true)),
        (err: unknown) => {
          this.opts.log.error({ err, clientId: client.id }, 'authentication failed unexpectedly; connection refused');
          done(authError(5, 'not authorized'), false);
        },
      );
    },
    checkPublish: (client, topic) => {
      const p = this.principalOf(client);
      const d = mayPublish(p, topic);
      return d.ok ? null : this.refuse('publish', p, client?.id ?? '', topic, d);
    },
    authorizeSubscribe: (client: Client, sub: Subscription, done) => {
      const p = this.principalOf(client);
      const d = maySubscribe(p, sub.topic);
      if (d.ok) {
        done(null, sub);
        return;
      }
      this.refuse('subscribe', p, client.id, sub.topic, d);
      done(null, null); // SUBACK 0x80 for this filter; the connection stays up
    },
  };

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<AuthenticateError | null> {
    const info = this.connecting.get(client) ?? { clientId: client.id, willTopic: undefined };
    this.connecting.delete(client);
    if (this.mode === 'off') {
      this.principals.set(client, ANONYMOUS);
      return null;
    }
    if (username === undefined || username === '') {
      if (!(await this.refreshAuthRequired())) {
        this.principals.set(client, ANONYMOUS);
        return null;
      }
      this.refuse('missing-credentials', ANONYMOUS, info.clientId, '', { ok: false, reason: 'no user name given; this broker requires credentials' });
      return authError(5, 'not authorized');
    }
    const found = await this.lookUp(username, password);
    if (!found.ok) {
      this.refuseUser('bad-credentials', username, info.clientId, '', found.reason);
      return authError(4, 'bad user name or password');
    }
    const p = found.principal;
    const idCheck = mayUseClientId(p, info.clientId);
    if (!idCheck.ok) {
      this.refuse('client-id', p, info.clientId, '', idCheck);
      return authError(2, 'identifier rejected');
    }
    const willCheck = mayLeaveWill(p, info.willTopic);
    if (!willCheck.ok) {
      this.refuse('will', p, info.clientId, info.willTopic ?? '', willCheck);
      return authError(5, 'not authorized');
    }
    this.principals.set(client, p);
    this.counters.authenticatedOne();
    return null;
  }

  private async lookUp(username: string, password: Buffer | undefined): Promise<{ ok: true; principal: Principal } | { ok: false; reason: string }> {
    if (username.startsWith(INTERNAL_PREFIX)) {
      const hash = this.internal.get(username);
      const ok = hash ? (await verifyDeviceSecret(password, hash)).ok : verifyDeviceSecretAgainstNothing(password);
      return ok
        ? { ok: true, principal: { kind: 'service', username, name: username.slice(INTERNAL_PREFIX.length), credentialId: null, changeSeq: 0 } }
        : { ok: false, reason: hash ? 'wrong password' : 'unknown internal user' };
    }
    const c = await this.opts.credentials.find(username);
    if (!c) {
      verifyDeviceSecretAgainstNothing(password);
      return { ok: false, reason: 'unknown user' };
    }
    const check = await verifyDeviceSecret(password, c.passwordHash);
    if (!check.ok) return { ok: false, reason: 'wrong password' };
    // One read per login: the fast hash is checked in microseconds without waiting on anything, so
    // the row just read is the current one. An old scrypt hash takes tens of milliseconds on the
    // thread pool, in which the credential may have been revoked or replaced: only then read again.
    const now = check.upgrade ? await this.opts.credentials.find(username) : c;
    if (!now || now.revokedMs !== null) return { ok: false, reason: 'credential revoked' };
    if (now.changeSeq !== c.changeSeq) return { ok: false, reason: 'credential replaced' };
    if (check.upgrade) this.upgradeHash(now, check.upgrade);
    const principal: Principal = c.kind === 'device'
      ? { kind: 'device', username, site: c.site ?? '', device: c.device ?? '', credentialId: c.id, changeSeq: c.changeSeq }
      : { kind: 'service', username, name: c.name ?? '', credentialId: c.id, changeSeq: c.changeSeq };
    return { ok: true, principal };
  }

  /** Stores the fast form of an old scrypt hash; a failure costs only speed (tried again at the next login), never the login. */
  private upgradeHash(c: CredentialRecord, fastHash: string): void {
    this.opts.credentials.rehash(c, fastHash).catch((err: unknown) => {
      this.opts.log.warn({ err, username: c.username }, 'could not store the fast hash of a device secret; tried again at its next login');
    });
  }

  /** Drops sessions whose credential changed since they authenticated, and anonymous ones once auth is required. */
  async sweep(): Promise<void> {
    let changed: Map<string, number>;
    let required: boolean;
    try {
      changed = new Map((await this.opts.credentials.changedSince(this.seenChange)).map((c) => [c.username, c.changeSeq]));
      required = await this.refreshAuthRequired();
    } catch (err) {
      this.opts.log.error({ err }, 'cannot read credential changes; will retry');
      return;
    }
    for (const seq of changed.values()) this.seenChange = Math.max(this.seenChange, seq);
    for (const client of this.clients()) {
      const p = this.principals.get(client);
      if (!p || client.closed) continue;
      if (p.kind === 'anonymous' && required) {
        this.refuse('anonymous-session', p, client.id, '', { ok: false, reason: 'authentication is now required; anonymous session closed' });
        client.close();
      } else if (p.kind !== 'anonymous' && p.credentialId !== null && changed.has(p.username) && changed.get(p.username) !== p.changeSeq) {
        this.refuse('revoked-session', p, client.id, '', { ok: false, reason: 'credential revoked or replaced; session closed' });
        client.close();
      }
    }
  }

  private refuse(reason: RefusalReason, p: Principal, clientId: string, topic: string, d: AclDecision): Error {
    return this.refuseUser(reason, p.kind === 'anonymous' ? '' : p.username, clientId, topic, d.ok ? '' : d.reason);
  }

  private refuseUser(reason: RefusalReason, username: string, clientId: string, topic: string, message: string): Error {
    const timeMs = this.now();
    this.counters.refusedOne({ timeMs, reason, username, clientId, topic, message });
    const key = `${reason}\u0000${username}\u0000${clientId}`;
    const last = this.lastLogged.get(key);
    if (last === undefined || timeMs - last >= LOG_EVERY_MS) {
      if (this.lastLogged.size > 10_000) this.lastLogged.clear();
      this.lastLogged.set(key, timeMs);
      this.opts.log.warn({ reason, username, clientId, topic }, `mqtt ${reason} refused: ${clipText(message, CLIP_AT * 2)}`);
    }
    return new Error(`not authorized: ${message}`);
  }
}
