/**
 * The command-line options of an external broker, shared by `faultline collector` (cluster mode)
 * and `faultline device` (Mosquitto dynamic security): the URL, the user, the password (from a
 * file or FAULTLINE_BROKER_PASSWORD, never from the command line, where `ps` shows it), a CA. The
 * collector adds its share group and its collector id. Bad values are UsageErrors; a password is
 * never put into one.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../protocol/errors.js';
import { checkBrokerUrl, DEFAULT_SHARE_GROUP, type ExternalBrokerSettings } from './external-broker.js';

export const BROKER_PASSWORD_ENV = 'FAULTLINE_BROKER_PASSWORD';

export const BROKER_CONNECTION_OPTIONS = {
  broker: { type: 'string' }, 'broker-user': { type: 'string' }, 'broker-password-file': { type: 'string' }, 'broker-ca': { type: 'string' },
} as const;

export const BROKER_OPTIONS = {
  ...BROKER_CONNECTION_OPTIONS, 'share-group': { type: 'string' }, 'collector-id': { type: 'string' },
} as const;

/** Options of the embedded broker, meaningless with --broker. */
export const EMBEDDED_BROKER_FLAGS = ['mqtt-host', 'mqtt-port', 'mqtt-auth', 'mqtts-port', 'tls-cert', 'tls-key', 'tls-ca', 'tls-only'] as const;

export const BROKER_USAGE = `
Cluster mode (an external MQTT 5 broker instead of the embedded one; no MQTT listener here):
  --broker URL       mqtt://host:1883 or mqtts://host:8883 (no user or password in the URL).
                     Ingest comes through the shared subscription $share/GROUP/fl/v1/+/+/KIND,
                     each message acknowledged after its commit; several collectors share it.
                     Use --database postgres://… so that they share one desk (SQLite works for
                     a single collector only)
  --broker-user U    the collector's user on the broker
  --broker-password-file F
                     a file holding that user's password (or the ${BROKER_PASSWORD_ENV}
                     environment variable); never on the command line, never logged
  --broker-ca FILE   the CA (PEM) that signed the broker's certificate (mqtts)
  --share-group NAME the shared subscription's group (default ${DEFAULT_SHARE_GROUP}); the same on every collector
  --collector-id ID  this collector's name in its client ids (default hostname-pid); unique per collector
`;

type BrokerValues = {
  broker?: string | undefined; 'broker-user'?: string | undefined; 'broker-password-file'?: string | undefined; 'broker-ca'?: string | undefined;
  'share-group'?: string | undefined; 'collector-id'?: string | undefined;
};

const COLLECTOR_ID = /^[A-Za-z0-9_-]{1,48}$/;
const SHARE_GROUP = /^[^/+#\s]{1,64}$/;

export function readFileOrUsage(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The broker URL, user, password and CA, or undefined without --broker. */
export function brokerConnectionFromArgs(v: BrokerValues, env: NodeJS.ProcessEnv): Pick<ExternalBrokerSettings, 'url' | 'username' | 'password' | 'ca'> | undefined {
  if (v.broker === undefined) {
    const stray = (['broker-user', 'broker-password-file', 'broker-ca', 'share-group', 'collector-id'] as const).filter((f) => v[f] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')} need --broker`);
    return undefined;
  }
  try {
    checkBrokerUrl(v.broker);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const fromFile = v['broker-password-file'] === undefined ? undefined : readFileOrUsage('broker-password-file', v['broker-password-file']).replace(/\r?\n$/, '');
  if (fromFile === '') throw new UsageError(`--broker-password-file ${v['broker-password-file'] ?? ''} is empty`);
  const password = fromFile ?? (env[BROKER_PASSWORD_ENV] === '' ? undefined : env[BROKER_PASSWORD_ENV]);
  if (password !== undefined && v['broker-user'] === undefined) throw new UsageError('a broker password needs --broker-user');
  return {
    url: v.broker,
    ...(v['broker-user'] === undefined ? {} : { username: v['broker-user'] }),
    ...(password === undefined ? {} : { password }),
    ...(v['broker-ca'] === undefined ? {} : { ca: readFileOrUsage('broker-ca', v['broker-ca']) }),
  };
}

/** The collector's cluster-mode settings, or undefined without --broker. */
export function brokerSettingsFromArgs(v: BrokerValues, env: NodeJS.ProcessEnv): ExternalBrokerSettings | undefined {
  const connection = brokerConnectionFromArgs(v, env);
  if (!connection) return undefined;
  const id = v['collector-id'];
  if (id !== undefined && !COLLECTOR_ID.test(id)) throw new UsageError(`--collector-id must be 1-48 letters, digits, '_' or '-', got ${JSON.stringify(id)}`);
  const group = v['share-group'];
  if (group !== undefined && !SHARE_GROUP.test(group)) throw new UsageError(`--share-group must be 1-64 characters without / + # or spaces, got ${JSON.stringify(group)}`);
  return {
    ...connection,
    ...(group === undefined ? {} : { group }),
    ...(id === undefined ? {} : { clientIdPrefix: `fl-collector-${id}` }),
  };
}

export const HTTP_AUTH_SECRET_ENV = 'FAULTLINE_MQTT_HTTP_AUTH_SECRET';
const MIN_SECRET = 16;

export const HTTP_AUTH_USAGE = `  --mqtt-http-auth-secret-file F
                     answer an EMQX-style broker's HTTP authentication and authorization at
                     POST /api/mqtt/auth and /api/mqtt/acl, for a broker that sends
                     "Authorization: Bearer <the secret in F>" (or ${HTTP_AUTH_SECRET_ENV});
                     off without it. Decisions follow the device credentials in the database
`;

/** The HTTP auth secret from --mqtt-http-auth-secret-file or the environment; undefined: the endpoints are off. */
export function httpAuthSecretFromArgs(v: { 'mqtt-http-auth-secret-file'?: string | undefined }, env: NodeJS.ProcessEnv): string | undefined {
  const file = v['mqtt-http-auth-secret-file'];
  const secret = file === undefined ? (env[HTTP_AUTH_SECRET_ENV] === '' ? undefined : env[HTTP_AUTH_SECRET_ENV]) : readFileOrUsage('mqtt-http-auth-secret-file', file).trim();
  if (secret !== undefined && secret.length < MIN_SECRET) {
    throw new UsageError(`the broker HTTP auth secret must have at least ${MIN_SECRET} characters (e.g. openssl rand -base64 24)`);
  }
  return secret;
}
