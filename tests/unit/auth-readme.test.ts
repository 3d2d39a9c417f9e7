/** The README's table of the lowest role per route is exactly the policy in collector/api/route-roles.ts. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ROUTE_ROLES } from '../../collector/api/route-roles.js';
import { readmeRoutePolicies } from '../helpers/readme-roles.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

t.test('README "Users and roles" lists every route with its policy', async (t) => {
  const section = readme.slice(readme.indexOf('### Users and roles'));
  const rows = [...section.matchAll(/^\| (public|viewer|operator|engineer|admin) \| (.+) \|$/gm)];
  t.equal(rows.length, 5, 'one row per policy');
  t.same(readmeRoutePolicies(), { ...ROUTE_ROLES }, 'a route added to route-roles.ts goes into the README table too');
});
