/**
 * What the EMQX-style HTTP auth endpoints decided (cluster mode), counted like the embedded
 * broker's refusals (SecurityCounters), for the `security` part of /api/health: a denied CONNECT
 * is `bad-credentials`, a denied PUBLISH / SUBSCRIBE `publish` / `subscribe`; an allowed CONNECT
 * counts as authenticated.
 */
import type { HttpAuthDecision } from './http-auth-decisions.js';
import type { AskedBy } from './http-auth-routes.js';
import { SecurityCounters } from './security-counters.js';

export function httpAuthCounters(now: () => number): {
  counters: SecurityCounters;
  onDecision: (kind: 'connect' | 'publish' | 'subscribe', d: HttpAuthDecision, asked: AskedBy) => void;
} {
  const counters = new SecurityCounters();
  return {
    counters,
    onDecision: (kind, d, asked) => {
      if (d.result === 'allow') {
        if (kind === 'connect') counters.authenticatedOne();
        return;
      }
      counters.refusedOne({
        timeMs: now(), reason: kind === 'connect' ? 'bad-credentials' : kind,
        username: asked.username, clientId: asked.clientId, topic: kind === 'connect' ? '' : asked.topic, message: d.reason,
      });
    },
  };
}
