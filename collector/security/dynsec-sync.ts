/**
 * `faultline device … --broker`: the same credentials the collector's database holds, mirrored
 * into Mosquitto's dynamic-security plugin (mosquitto-dynsec.ts), so that in cluster mode the
 * broker enforces them: a device added gets a client and a role limited to its own topics, a
 * device revoked loses both (and its session). The database stays the source of truth (write
 * keys, the EMQX-style HTTP auth, `device list`); the broker is told after the database, and
 * `add --replace` re-syncs a device whose broker update failed.
 */
import type { IClientOptions } from 'mqtt';
import { UsageError } from '../../protocol/errors.js';
import { brokerConnectionFromArgs } from '../broker/broker-args.js';
import { MosquittoDynsec } from './mosquitto-dynsec.js';

type BrokerValues = Parameters<typeof brokerConnectionFromArgs>[0];

/** Connects as the dynamic-security admin named by --broker, --broker-user, --broker-password-file / FAULTLINE_BROKER_PASSWORD, --broker-ca; undefined without --broker. */
export async function dynsecFromArgs(v: BrokerValues, env: NodeJS.ProcessEnv): Promise<MosquittoDynsec | undefined> {
  const c = brokerConnectionFromArgs(v, env);
  if (!c) return undefined;
  if (c.username === undefined || c.password === undefined) {
    throw new UsageError('--broker needs the dynamic-security admin: --broker-user and --broker-password-file (or FAULTLINE_BROKER_PASSWORD)');
  }
  const connect: Omit<IClientOptions, 'username' | 'password' | 'protocolVersion'> = c.ca === undefined ? {} : { ca: c.ca };
  return MosquittoDynsec.connect({ url: c.url, username: c.username, password: c.password, connect });
}
