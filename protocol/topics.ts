import { FaultlineError } from './errors.js';

/** Topic scheme: fl/v1/{site}/{device}/{kind}. Pure string functions, no I/O. */
export const TOPIC_ROOT = 'fl/v1';

export const TOPIC_KINDS = ['birth', 'death', 'status', 'telemetry', 'event', 'rpc/req', 'rpc/res', 'receipt'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export interface TopicAddress {
  site: string;
  device: string;
  kind: TopicKind;
}

/** Site and device ids: 1–64 chars of letters, digits, '-', '_', '.'; never MQTT wildcards or '/'. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function assertValidId(what: 'site' | 'device', id: string): void {
  if (!isValidId(id)) {
    throw new FaultlineError('FL_ERR_TOPIC_ID', `invalid ${what} id ${JSON.stringify(id)}`, {
      context: { [what]: id },
      hint: `use 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit`,
    });
  }
}

export function topicFor(site: string, device: string, kind: TopicKind): string {
  assertValidId('site', site);
  assertValidId('device', device);
  return `${TOPIC_ROOT}/${site}/${device}/${kind}`;
}

/** Subscription filter for one kind across all sites and devices. */
export function filterFor(kind: TopicKind): string {
  return `${TOPIC_ROOT}/+/+/${kind}`;
}

/** Parses a topic, throwing FL_ERR_TOPIC_MALFORMED with the reason when it is not ours or not well formed. */
export function parseTopic(topic: string): TopicAddress {
  const fail = (why: string): never => {
    throw new FaultlineError('FL_ERR_TOPIC_MALFORMED', `malformed topic ${JSON.stringify(topic)}: ${why}`, {
      context: { topic },
      hint: `publish to ${TOPIC_ROOT}/{site}/{device}/{kind} with kind one of ${TOPIC_KINDS.join(', ')}`,
    });
  };
  const parts = topic.split('/');
  if (parts[0] !== 'fl' || parts[1] !== 'v1') fail(`must start with ${TOPIC_ROOT}/`);
  if (parts.length < 5 || parts.length > 6) fail('wrong number of levels');
  const [, , site = '', device = '', ...rest] = parts;
  const kind = rest.join('/');
  if (!isValidId(site)) fail(`bad site id ${JSON.stringify(site)}`);
  if (!isValidId(device)) fail(`bad device id ${JSON.stringify(device)}`);
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) fail(`unknown kind ${JSON.stringify(kind)}`);
  return { site, device, kind: kind as TopicKind };
}
