/**
 * Device security on an external Mosquitto (cluster mode): drives Mosquitto's dynamic-security
 * plugin over MQTT, the way `faultline device add/revoke` will. Commands go to
 * `$CONTROL/dynamic-security/v1` as JSON; the plugin answers on `.../response`, which every admin
 * client sees, so each command carries correlationData of this connection and only our answers
 * are taken.
 *
 * What a device gets mirrors the embedded broker's rules (acl-rules.ts, the one source of truth):
 * a role `fl-device/{site}/{device}` that may publish exactly the kinds mayPublish() allows under
 * its own `fl/v1/{site}/{device}/`, subscribe only to what maySubscribe() allows (its own
 * `rpc/req` and `receipt`), and a client bound to the agent's client id (mayUseClientId). Everything else is
 * denied by the plugin's defaults (publishClientSend and subscribe: deny). Passwords go to the
 * broker only; they are never logged nor put into an error.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FaultlineError } from '../../protocol/errors.js';
import { assertValidId, TOPIC_KINDS, TOPIC_ROOT, topicFor } from '../../protocol/topics.js';
import { deviceClientId, deviceSubscribeTopics, deviceUsername, mayPublish, maySubscribe, serviceUsername, type Principal } from './acl-rules.js';

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

export type DynsecAclType =
  | 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';

export interface DynsecAcl {
  acltype: DynsecAclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

export function deviceRoleName(site: string, device: string): string {
  return `fl-device/${site}/${device}`;
}

export const SERVICE_ROLE = 'fl-service';

/**
 * The ACLs of a device's role, derived from acl-rules.ts: one literal topic per kind the device
 * may publish, one literal filter per kind it may subscribe to.
 */
export function deviceRoleAcls(site: string, device: string): DynsecAcl[] {
  assertValidId('site', site);
  assertValidId('device', device);
  const principal: Principal = { kind: 'device', username: deviceUsername(site, device), site, device, credentialId: 0, changeSeq: 0 };
  const acls: DynsecAcl[] = [];
  for (const kind of TOPIC_KINDS) {
    const topic = topicFor(site, device, kind);
    if (mayPublish(principal, topic).ok) acls.push({ acltype: 'publishClientSend', topic, allow: true });
  }
  for (const topic of deviceSubscribeTopics(site, device)) {
    if (maySubscribe(principal, topic).ok) {
      acls.push({ acltype: 'subscribeLiteral', topic, allow: true }, { acltype: 'unsubscribeLiteral', topic, allow: true });
    }
  }
  return acls;
}

/**
 * The collectors' role: publish and subscribe anywhere under fl/v1/ (acl-rules lets services do
 * anything but $SYS), including shared subscriptions `$share/<group>/fl/v1/...`.
 */
export function serviceRoleAcls(): DynsecAcl[] {
  const all = `${TOPIC_ROOT}/#`;
  return [
    { acltype: 'publishClientSend', topic: all, allow: true },
    { acltype: 'subscribePattern', topic: all, allow: true },
    { acltype: 'subscribePattern', topic: `$share/+/${all}`, allow: true },
    { acltype: 'unsubscribePattern', topic: all, allow: true },
    { acltype: 'unsubscribePattern', topic: `$share/+/${all}`, allow: true },
  ];
}

export interface MosquittoDynsecOptions {
  /** mqtt://host:port or mqtts://… of the broker. */
  url: string;
  /** A dynamic-security client with the admin role (mosquitto_ctrl dynsec init makes one). */
  username: string;
  password: string;
  /** Per-command answer timeout (default 5000 ms). */
  timeoutMs?: number;
  /** TLS and other connection options passed to mqtt.js. */
  connect?: Omit<IClientOptions, 'username' | 'password' | 'protocolVersion'>;
}

/** Fields that must never leave this module in a message or error context. */
const SECRET_FIELDS = new Set(['password']);

function describeCommand(c: DynsecCommand): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([k]) => !SECRET_FIELDS.has(k) && k !== 'acls' && k !== 'correlationData'));
}

/** mqtt.js fails a subscribe whose SUBACK carries a reason code >= 0x80; the code is on the error's packet. */
export function subackRefusal(err: unknown): number {
  const e = err as { code?: unknown; packet?: { granted?: unknown[] } };
  const fromPacket = e.packet?.granted?.find((g): g is number => typeof g === 'number' && g >= 0x80);
  return typeof e.code === 'number' ? e.code : fromPacket ?? 0x80;
}

interface Waiting {
  expect: Set<string>;
  got: Map<string, DynsecResponse>;
  resolve: () => void;
}

export class MosquittoDynsec {
  private seq = 0;
  private readonly prefix = randomBytes(6).toString('hex');
  private readonly waiting = new Set<Waiting>();
  /** Commands are sent one batch at a time, so answers and effects keep the caller's order. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: MqttClient, private readonly timeoutMs: number) {
    client.on('message', (topic, payload) => {
      if (topic === DYNSEC_RESPONSE_TOPIC) this.onResponse(payload);
    });
  }

  static async connect(opts: MosquittoDynsecOptions): Promise<MosquittoDynsec> {
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(opts.url, {
        reconnectPeriod: 1000, connectTimeout: 10_000, clientId: `fl-dynsec-${randomBytes(5).toString('hex')}`,
        ...opts.connect, protocolVersion: 5, username: opts.username, password: opts.password,
      }, false);
    } catch (cause) {
      throw new FaultlineError('FL_ERR_DYNSEC_CONNECT', `cannot connect to the broker at ${opts.url} as ${opts.username} to manage device credentials: ${(cause as Error).message}`, {
        context: { url: opts.url, username: opts.username }, cause,
        hint: 'check the broker URL and the dynamic-security admin user and password (mosquitto_ctrl dynsec init makes one)',
      });
    }
    const reasonCode = await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 })
      .then((granted) => granted[0]?.qos ?? 0x80, subackRefusal);
    if (reasonCode >= 0x80) {
      await client.endAsync(true);
      throw new FaultlineError('FL_ERR_DYNSEC_DENIED', `${opts.username} may not read ${DYNSEC_RESPONSE_TOPIC} (reason code 0x${reasonCode.toString(16)})`, {
        context: { url: opts.url, username: opts.username, reasonCode },
        hint: 'give this client the dynamic-security admin role, or use the admin made by mosquitto_ctrl dynsec init',
      });
    }
    return new MosquittoDynsec(client, opts.timeoutMs ?? 5000);
  }

  private onResponse(payload: Buffer): void {
    let parsed: { responses?: DynsecResponse[] };
    try {
      parsed = JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] };
    } catch {
      return; // not ours to judge: another admin's tool may publish anything here
    }
    for (const r of parsed.responses ?? []) {
      if (typeof r.correlationData !== 'string') continue;
      for (const w of this.waiting) {
        if (!w.expect.has(r.correlationData)) continue;
        w.got.set(r.correlationData, r);
        if (w.got.size === w.expect.size) w.resolve();
      }
    }
  }

  /**
   * Sends commands in one message and returns their answers in order. Throws
   * FL_ERR_DYNSEC_COMMAND naming each command that failed, unless its error is listed in
   * `tolerate` (e.g. "Client not found" when deleting).
   */
  send(commands: readonly DynsecCommand[], tolerate: readonly string[] = []): Promise<DynsecResponse[]> {
    const run = this.chain.then(() => this.sendNow(commands, tolerate));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sendNow(commands: readonly DynsecCommand[], tolerate: readonly string[]): Promise<DynsecResponse[]> {
    const ids = commands.map(() => `${this.prefix}:${++this.seq}`);
    const waiting: Waiting = { expect: new Set(ids), got: new Map(), resolve: () => undefined };
    const answered = new Promise<void>((resolve) => { waiting.resolve = resolve; });
    this.waiting.add(waiting);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const body = JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) });
      try {
        await this.client.publishAsync(DYNSEC_TOPIC, body, { qos: 1 });
      } catch (cause) {
        const reasonCode = (cause as { code?: number }).code;
        throw new FaultlineError('FL_ERR_DYNSEC_DENIED', `the broker refused the dynamic-security command (${commands.map((c) => c.command).join(', ')}): ${(cause as Error).message}`, {
          context: { commands: commands.map(describeCommand), reasonCode }, cause,
          hint: 'the connecting user needs the dynamic-security admin role (publish to $CONTROL/dynamic-security/#)',
        });
      }
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.timeoutMs); });
      if ((await Promise.race([answered, timedOut])) === 'timeout') {
        throw new FaultlineError('FL_ERR_DYNSEC_TIMEOUT', `no answer from the dynamic-security plugin within ${this.timeoutMs} ms (${commands.map((c) => c.command).join(', ')})`, {
          context: { commands: commands.map(describeCommand), answered: waiting.got.size },
          hint: 'load the plugin in mosquitto.conf (plugin …/mosquitto_dynamic_security.so, plugin_opt_config_file …) and check the broker log',
        });
      }
    } finally {
      clearTimeout(timer);
      this.waiting.delete(waiting);
    }
    const responses = ids.map((id) => waiting.got.get(id) as DynsecResponse);
    const failed = responses
      .map((r, i) => ({ r, c: commands[i] as DynsecCommand }))
      .filter(({ r }) => r.error !== undefined && !tolerate.includes(r.error));
    if (failed.length > 0) {
      throw new FaultlineError('FL_ERR_DYNSEC_COMMAND', `dynamic-security refused: ${failed.map(({ r, c }) => `${c.command} ${JSON.stringify(c.username ?? c.rolename ?? '')}: ${r.error}`).join('; ')}`, {
        context: { failed: failed.map(({ r, c }) => ({ ...describeCommand(c), error: r.error })) },
        hint: 'the plugin applies each command of a batch on its own: the others took effect; see the broker log',
      });
    }
    return responses;
  }

  /**
   * Gives a device its broker credential: its own role (acl-rules) and a client bound to its
   * agent's client id. Re-provisioning replaces both (a connected session of the old credential is
   * disconnected, as the embedded broker does when a credential is replaced).
   */
  async provisionDevice(site: string, device: string, password: string): Promise<void> {
    const acls = deviceRoleAcls(site, device);
    const username = deviceUsername(site, device);
    const rolename = deviceRoleName(site, device);
    await this.send([
      { command: 'deleteClient', username },
      { command: 'deleteRole', rolename },
    ], ['Client not found', 'Role not found']);
    await this.send([
      { command: 'createRole', rolename, textdescription: `faultline device ${site}/${device}`, acls },
      { command: 'createClient', username, password, clientid: deviceClientId(site, device), roles: [{ rolename }] },
    ]);
  }

  /** Removes a device's credential and role; its connected session is disconnected. Returns false when it had none. */
  async revokeDevice(site: string, device: string): Promise<boolean> {
    assertValidId('site', site);
    assertValidId('device', device);
    const [client] = await this.send([
      { command: 'deleteClient', username: deviceUsername(site, device) },
      { command: 'deleteRole', rolename: deviceRoleName(site, device) },
    ], ['Client not found', 'Role not found']);
    return client?.error === undefined;
  }

  /** A collector's (or tool's) credential: username service:{name}, the shared service role. */
  async provisionService(name: string, password: string): Promise<void> {
    const username = serviceUsername(name);
    await this.send([{ command: 'createRole', rolename: SERVICE_ROLE, textdescription: 'faultline collectors', acls: serviceRoleAcls() }], ['Role already exists']);
    await this.send([{ command: 'deleteClient', username }], ['Client not found']);
    await this.send([{ command: 'createClient', username, password, roles: [{ rolename: SERVICE_ROLE }] }]);
  }

  /** Removes a service credential; its session is disconnected. Returns false when it had none. */
  async revokeService(name: string): Promise<boolean> {
    const [client] = await this.send([{ command: 'deleteClient', username: serviceUsername(name) }], ['Client not found']);
    return client?.error === undefined;
  }

  /** The usernames the plugin knows (for checks and the CLI's listing). */
  async listClients(): Promise<string[]> {
    const [r] = await this.send([{ command: 'listClients', verbose: false, count: -1 }]);
    const data = r?.data as { clients?: unknown[] } | undefined;
    return (data?.clients ?? []).filter((c): c is string => typeof c === 'string');
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
