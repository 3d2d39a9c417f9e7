/** The README's table of the lowest role per route is exactly the policy in collector/api/route-roles.ts. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ROUTE_ROLES } from '../../collector/api/route-roles.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** `POST /x/{a,b}` → [`POST /x/a`, `POST /x/b`]. */
function expand(route: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(route);
  return m ? (m[2] ?? '').split(',').flatMap((alt) => expand(`${m[1] ?? ''}${alt}${m[3] ?? ''}`)) : [route];
}

t.test('README "Users and roles" lists every route with its policy', async (t) => {
  const section = readme.slice(readme.indexOf('### Users and roles'));
  const rows = [...section.matchAll(/^\| (public|viewer|operator|engineer|admin) \| (.+) \|$/gm)];
  t.equal(rows.length, 5, 'one row per policy');
  const documented: Record<string, string> = {};
  for (const [, policy, routes] of rows) {
    for (const [, route] of (routes ?? '').matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) [^`]+)`/g)) {
      for (const r of expand(route ?? '')) documented[r] = policy ?? '';
    }
  }
  t.same(documented, { ...ROUTE_ROLES }, 'a route added to route-roles.ts goes into the README table too');
});
