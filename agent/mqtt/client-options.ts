/**
 * mqtt.js connect options for the agent's link, and the TLS files they need. The files are
 * read once, when the link starts; a missing or unreadable file is a typed error naming the
 * config key and the path. Credentials never leave this object (nothing here is logged).
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { FaultlineError } from '../../protocol/errors.js';

export interface TlsFiles {
  /** PEM file of the CA(s) that signed the broker's certificate; the system CAs when left out. */
  caFile?: string | undefined;
  /** PEM client certificate, for brokers that authenticate clients by certificate (needs keyFile). */
  certFile?: string | undefined;
  /** PEM private key of the client certificate. */
  keyFile?: string | undefined;
  /** Verify the broker's certificate and host name. Default true; false is for lab setups only. */
  rejectUnauthorized?: boolean | undefined;
}

const TLS_SCHEMES = new Set(['mqtts:', 'ssl:', 'wss:']);
const SCHEMES = new Set(['mqtt:', 'tcp:', 'ws:', ...TLS_SCHEMES]);

/** Throws FL_ERR_MQTT_CONFIG unless `url` is a broker URL mqtt.js can dial. */
export function checkBrokerUrl(url: string): void {
  let ok = false;
  try {
    const u = new URL(url);
    ok = SCHEMES.has(u.protocol) && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new FaultlineError('FL_ERR_MQTT_CONFIG', `invalid broker URL ${redactUrl(url)}`, {
      context: { url: redactUrl(url) }, hint: 'use mqtt://host:1883 or mqtts://host:8883',
    });
  }
}

export function isTlsUrl(url: string): boolean {
  try {
    return TLS_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The URL without any user name or password in it, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_MQTT_TLS_FILE', `cannot read ${key} ${path}: ${(cause as Error).message}`, {
      cause, context: { key, path }, hint: `point ${key} at a readable PEM file`,
    });
  }
}

export interface SessionSettings {
  site: string;
  device: string;
  username?: string | undefined;
  password?: string | undefined;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  connectTimeoutMs: number;
  /** Topic and payload of the last will. */
  will: { topic: string; payload: Uint8Array };
}

/**
 * Options for one connection attempt: mqtt.js must not reconnect by itself (reconnectPeriod 0),
 * keep no session (clean) and queue nothing while offline (queueQoSZero false; the link never
 * publishes while disconnected anyway). The will is QoS 1, not retained. writeCache false:
 * otherwise mqtt-packet pre-builds a 2-byte Buffer for each of the 65,536 packet ids on the first
 * write (about 7 MiB of heap that never goes away); building the two bytes per packet is free.
 * reschedulePings false: mqtt.js would otherwise clear and set its keepalive interval on every
 * PUBACK (once a second or more, in the agent's interpreter-only V8); instead a PINGREQ goes every
 * keepalive whatever the traffic, and a link that answers nothing is still given up after 1.5
 * keepalives (agent-link.test.ts).
 */
export function connectOptions(s: SessionSettings, tls: Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>): IClientOptions {
  return {
    clientId: `fl-${s.site}-${s.device}`.slice(0, 64),
    username: s.username, password: s.password,
    protocolVersion: s.protocolVersion, keepalive: s.keepaliveS, connectTimeout: s.connectTimeoutMs,
    reconnectPeriod: 0, clean: true, queueQoSZero: false, resubscribe: false, writeCache: false, reschedulePings: false,
    will: { topic: s.will.topic, payload: Buffer.from(s.will.payload), qos: 1, retain: false },
    ...tls,
  };
}

/** TLS options for mqtt.js; {} for a plain URL without TLS settings. */
export function tlsOptions(url: string, tls: TlsFiles | undefined): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  const secure = isTlsUrl(url);
  const files = tls?.caFile ?? tls?.certFile ?? tls?.keyFile;
  if (!secure) {
    if (files !== undefined) {
      throw new FaultlineError('FL_ERR_MQTT_TLS_CONFIG', `mqtt.tls files are set but the broker URL ${redactUrl(url)} is not a TLS URL`, {
        context: { url: redactUrl(url) }, hint: 'use an mqtts:// URL (usually port 8883), or remove mqtt.tls',
      });
    }
    return {};
  }
  if ((tls?.certFile === undefined) !== (tls?.keyFile === undefined)) {
    throw new FaultlineError('FL_ERR_MQTT_TLS_CONFIG', 'mqtt.tls.certFile and mqtt.tls.keyFile go together: one is set without the other', {
      hint: 'set both (client certificate authentication) or neither',
    });
  }
  return {
    ...(tls?.caFile !== undefined ? { ca: readPem('mqtt.tls.caFile', tls.caFile) } : {}),
    ...(tls?.certFile !== undefined ? { cert: readPem('mqtt.tls.certFile', tls.certFile) } : {}),
    ...(tls?.keyFile !== undefined ? { key: readPem('mqtt.tls.keyFile', tls.keyFile) } : {}),
    rejectUnauthorized: tls?.rejectUnauthorized !== false,
  };
}
