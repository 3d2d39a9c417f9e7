/**
 * The README's "Users and roles" section read as a table of expected answers, independent of the
 * code it checks: the roles in the order the README lists them (each may do everything the ones
 * before it may), and the lowest role per route from its table.
 */
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Users and roles'), readme.indexOf('**API tokens**'));

/** `POST /x/{a,b}` → [`POST /x/a`, `POST /x/b`]. */
export function expand(route: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(route);
  return m ? (m[2] ?? '').split(',').flatMap((alt) => expand(`${m[1] ?? ''}${alt}${m[3] ?? ''}`)) : [route];
}

/** The roles, lowest first, as the README's role table lists them. */
export function readmeRoleOrder(): string[] {
  return [...section.matchAll(/^\| `([a-z]+)` \| /gm)].map((m) => m[1] ?? '');
}

/** `METHOD url` → 'public' or the lowest role, from the README's table. */
export function readmeRoutePolicies(): Record<string, string> {
  const documented: Record<string, string> = {};
  for (const [, policy, routes] of section.matchAll(/^\| (public|viewer|operator|engineer|admin) \| (.+) \|$/gm)) {
    for (const [, route] of (routes ?? '').matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) [^`]+)`/g)) {
      for (const r of expand(route ?? '')) documented[r] = policy ?? '';
    }
  }
  return documented;
}

/** Whether the README says `role` (null: nobody signed in) may call a route whose lowest role is `policy`. */
export function readmeAllows(policy: string, role: string | null): boolean {
  if (policy === 'public') return true;
  const order = readmeRoleOrder();
  return role !== null && order.indexOf(role) >= order.indexOf(policy) && order.includes(policy);
}
