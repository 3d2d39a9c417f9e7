/**
 * Who may call which route: every route the API registers is listed here as `METHOD url-pattern`
 * (exactly as fastify registers it) with 'public' or the lowest role that may call it. The app
 * refuses to start when a route has no entry (auth-hooks.ts), so no route is ever open by
 * omission. Two rules cover whole areas: GET/HEAD outside /api/ (the dashboard's static files) is
 * public, and anything under /api/admin/ needs admin unless listed otherwise.
 *
 * Why these minimums:
 * - viewer reads everything a plant or a manager needs: alarms, tickets, devices, knowledge,
 *   reports, the live stream; and manages their own API tokens.
 * - operator works the alarm console: acknowledge, and shelve/unshelve (shelving is bounded by
 *   alarms.maxShelveMinutes); comments on and rates tickets (the people on the floor know things).
 * - engineer: suppress / out-of-service / in-service hide an alarm for an open-ended time (ISA-18.2
 *   treats them as maintenance and management-of-change, not console actions), so they sit with
 *   the people who work the tickets: ticket actions, manual tickets, knowledge edits, device live
 *   reads, logs, describe and parameter writes, the audit trail, webhook log and the config view.
 * - admin: users and their tokens, config reload, device provisioning (/api/admin/*).
 */
import { roleAllows, type Role } from '../core/access/roles.js';

export type RoutePolicy = 'public' | Role;

const ALARM_ACTION_ROLES: Readonly<Record<string, Role>> = {
  ack: 'operator', shelve: 'operator', unshelve: 'operator',
  suppress: 'engineer', unsuppress: 'engineer', 'out-of-service': 'engineer', 'in-service': 'engineer',
};

/** Ticket actions that also run on many tickets at once (POST /api/tickets/bulk/{action}). */
export const BULK_TICKET_ACTIONS = ['ack', 'assign', 'close'] as const;

const TICKET_ACTION_ROLES: Readonly<Record<string, Role>> = {
  ack: 'engineer', start: 'engineer', wait: 'engineer', resume: 'engineer', resolve: 'engineer', close: 'engineer',
  reopen: 'engineer', escalate: 'engineer', assign: 'engineer', priority: 'engineer',
  comments: 'operator', rating: 'operator',
  take: 'engineer',
};

/** Where a broker's HTTP auth calls the collector (only mounted with a secret; the secret is its authentication). */
export const MQTT_HTTP_AUTH_PREFIX = '/api/mqtt';

export const ROUTE_ROLES: Readonly<Record<string, RoutePolicy>> = {
  // A broker's HTTP authentication and authorization: the shared secret authenticates it (security/http-auth-routes.ts).
  [`POST ${MQTT_HTTP_AUTH_PREFIX}/auth`]: 'public',
  [`POST ${MQTT_HTTP_AUTH_PREFIX}/acl`]: 'public',
  // An e-mail page's acknowledge link: the signed, expiring link is the credential (api/page-ack-routes.ts).
  'POST /ack/:token': 'public',

  // Health for monitoring probes; login.
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  // Logout checks its own session (and CSRF token) so that a stale cookie can always be cleared.
  'POST /api/auth/logout': 'public',
  'GET /api/auth/me': 'viewer',
  'GET /api/auth/tokens': 'viewer',
  'POST /api/auth/tokens': 'viewer',
  'DELETE /api/auth/tokens/:id': 'viewer',
  'GET /api/docs': 'viewer',
  // Prometheus: a signed-in caller; the route itself then wants an API token or an admin (metrics-route.ts).
  'GET /metrics': 'viewer',

  // Users and their API tokens.
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:username': 'admin',
  'DELETE /api/users/:username': 'admin',
  'GET /api/users/:username/tokens': 'admin',
  'POST /api/users/:username/tokens': 'admin',
  'DELETE /api/users/:username/tokens/:id': 'admin',
  'DELETE /api/users/:username/tokens': 'admin',

  // Live stream (server-sent events; the cookie authenticates EventSource).
  'GET /api/stream': 'viewer',

  // Tickets.
  'GET /api/tickets': 'viewer',
  'GET /api/tickets/changes': 'viewer',
  'GET /api/tickets/:id': 'viewer',
  // Saved views of the ticket table: each user's own.
  'GET /api/ticket-views': 'viewer',
  'PUT /api/ticket-views/:name': 'viewer',
  'DELETE /api/ticket-views/:name': 'viewer',
  'POST /api/tickets': 'engineer',
  ...Object.fromEntries(Object.entries(TICKET_ACTION_ROLES).map(([action, role]) => [`POST /api/tickets/:id/${action}`, role])),
  ...Object.fromEntries(BULK_TICKET_ACTIONS.map((action) => [`POST /api/tickets/bulk/${action}`, 'engineer' as const])),

  // Alarms: each action single and bulk.
  'GET /api/alarms': 'viewer',
  'GET /api/alarms/floods': 'viewer',
  'GET /api/alarms/history': 'viewer',
  // The operator's choice to acknowledge the alarm's ticket with it (the ticket's own ack stays an engineer's).
  'POST /api/alarms/:id/ack-with-ticket': 'operator',
  'POST /api/alarms/:id/comments': 'operator',
  'GET /api/alarms/:id': 'viewer',
  ...Object.fromEntries(Object.entries(ALARM_ACTION_ROLES).flatMap(([action, role]) => [
    [`POST /api/alarms/:id/${action}`, role], [`POST /api/alarms/${action}`, role],
  ])),

  // Devices.
  'GET /api/devices': 'viewer',
  'GET /api/devices/:site/:device': 'viewer',
  'GET /api/devices/:site/:device/latest': 'viewer',
  'GET /api/devices/:site/:device/trend': 'viewer',
  'GET /api/devices/:site/:device/marks': 'viewer',
  'GET /api/plant': 'viewer',
  'GET /api/events': 'viewer',
  'POST /api/devices/:site/:device/live': 'engineer',
  'POST /api/devices/:site/:device/logs': 'engineer',
  'POST /api/devices/:site/:device/describe': 'engineer',
  'POST /api/devices/:site/:device/write': 'engineer',

  // Knowledge base.
  'GET /api/kb': 'viewer',
  'GET /api/on-call': 'viewer',
  'GET /api/me/paging': 'viewer',
  'PUT /api/me/paging': 'viewer',
  'POST /api/on-call/overrides': 'engineer',
  'GET /api/kb/:id': 'viewer',
  'POST /api/kb': 'engineer',
  'POST /api/kb/:id/review': 'engineer',
  'POST /api/kb/:id/fixes': 'engineer',
  'GET /api/tickets/:id/kb': 'viewer',
  'POST /api/tickets/:id/kb': 'engineer',

  // Reports (managers are viewers).
  'GET /api/reports/summary': 'viewer',
  'GET /api/fault-texts': 'viewer',

  // Audit trail, webhook log, config.
  'GET /api/audit': 'engineer',
  'GET /api/webhooks/deliveries': 'engineer',
  'POST /api/webhooks/deliveries/:id/resend': 'engineer',
  'GET /api/config': 'engineer',
  'POST /api/admin/reload-config': 'admin',

  // Device credentials and write keys (collector/api/admin-device-routes.ts).
  'GET /api/admin/devices': 'admin',
  'POST /api/admin/devices': 'admin',
  'DELETE /api/admin/devices/:site/:device': 'admin',
};

const isApiPath = (url: string): boolean => url === '/api' || url.startsWith('/api/');

/** The policy of a route as fastify registers it; undefined when nobody decided (the app must not start). */
export function policyFor(method: string, url: string, table: Readonly<Record<string, RoutePolicy>> = ROUTE_ROLES): RoutePolicy | undefined {
  const m = method.toUpperCase();
  const listed = table[`${m} ${url}`] ?? (m === 'HEAD' ? table[`GET ${url}`] : undefined);
  if (listed !== undefined) return listed;
  if (!isApiPath(url)) return m === 'GET' || m === 'HEAD' ? 'public' : undefined;
  if (url.startsWith('/api/admin/')) return 'admin';
  return undefined;
}

/** Whether a role (or nobody) passes a policy. */
export function policyAllows(policy: RoutePolicy, role: Role | null): boolean {
  if (policy === 'public') return true;
  return role !== null && roleAllows(role, policy);
}
