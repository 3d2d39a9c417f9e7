/**
 * A client generated from /api/docs works (#15, "an OpenAPI document clients can generate
 * from"): a real collector on random loopback ports serves its document; a standard generator
 * (openapi-typescript-codegen, fetch client) writes a typed TypeScript client from it; tsc
 * compiles a small program against that client under strict settings (a wrong argument type must
 * be an error, so the types are real); the program, bundled and run, calls the running API with a
 * bearer token and prints what it got.
 *
 * Why not openapi-typescript + openapi-fetch: openapi-typescript needs TypeScript 5's JS API
 * (a peer dependency on typescript ^5), and this project builds with TypeScript 7, which has none.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { generate } from 'openapi-typescript-codegen';
import t from 'tap';
import { startCollector } from '../../collector/collector.js';
import { silentLogger } from '../../protocol/logger.js';
import { apiCallerIn } from '../helpers/api-auth.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

const PROGRAM = `
import { ApiError, AuthService, HealthService, OpenAPI, TicketsService, UsersService } from './client';

OpenAPI.BASE = process.env.BASE ?? '';
OpenAPI.TOKEN = process.env.TOKEN ?? '';

async function main(): Promise<void> {
  const me = await AuthService.getAuthMe();
  const username: string = me.user.username;
  const health = await HealthService.getHealth();
  const tickets = await TicketsService.getTickets({ limit: 10 });
  const created = await UsersService.postUsers({ requestBody: { username: 'gen-client', role: 'viewer', password: 'a long password 1' } });
  let mintByToken = 0;
  try {
    await UsersService.postUsersByUsernameTokens({ username: 'gen-client', requestBody: { name: 'generated' } });
  } catch (err) {
    if (err instanceof ApiError) mintByToken = err.status;
  }
  const listed = await UsersService.getUsersByUsernameTokens({ username: 'bob' });
  const first = listed.tokens[0];
  if (first) await UsersService.deleteUsersByUsernameTokensById({ username: 'bob', id: String(first.id) });
  const revoked = await UsersService.deleteUsersByUsernameTokens({ username: 'bob' });
  let missing = 0;
  try {
    await UsersService.getUsersByUsernameTokens({ username: 'nobody-here' });
  } catch (err) {
    if (err instanceof ApiError) missing = err.status;
  }
  // @ts-expect-error the generated types know limit is a number
  void TicketsService.getTickets.bind(null, { limit: 'ten' });
  console.log(JSON.stringify({
    username, healthStatus: health.status, tickets: tickets.tickets.length, created: created.username, role: created.role,
    mintByToken, listed: listed.tokens.map((x) => x.name), revoked: revoked.tokens.length, missing,
  }));
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
`;

t.test('a client generated from /api/docs compiles and calls the running collector', async (t) => {
  const dir = tempDir('faultline-openapi-client-');
  t.teardown(dir.remove);
  const dataDir = join(dir.path, 'data');
  const collector = await startCollector({ dataDir, mqttHost: '127.0.0.1', mqttPort: 0, httpHost: '127.0.0.1', httpPort: 0, log: silentLogger() });
  t.teardown(() => collector.stop());
  const admin = await apiCallerIn(dataDir, 'admin', 'alice');
  await apiCallerIn(dataDir, 'engineer', 'bob');
  await apiCallerIn(dataDir, 'engineer', 'bob');

  const docRes = await fetch(`${collector.httpUrl}/api/docs`, { headers: admin.headers });
  t.equal(docRes.status, 200);
  const doc = await docRes.json() as { servers: Array<{ url: string }> };
  t.same(doc.servers.map((s) => s.url), [collector.httpUrl], 'servers: the collector the document came from');

  const work = join(dir.path, 'client-app');
  await generate({ input: doc, output: join(work, 'client'), httpClient: 'fetch', useOptions: true });
  writeFileSync(join(work, 'main.ts'), PROGRAM);
  // process.env in the program: a one-line declaration instead of @types/node in the temp dir.
  writeFileSync(join(work, 'env.d.ts'), 'declare const process: { env: Record<string, string | undefined>; exit(code: number): never };\n');
  const tsc = join(root, 'node_modules/.bin/tsc');
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], skipLibCheck: true },
    files: ['main.ts', 'env.d.ts'],
  }));
  const typed = await run(tsc, ['-p', join(work, 'tsconfig.json'), '--pretty', 'false'], { cwd: work }).then(() => '', (err: { stdout?: string }) => err.stdout ?? 'failed');
  t.equal(typed, '', 'strict tsc: no errors (and the @ts-expect-error on a wrong argument type is used)');

  const bundle = join(work, 'main.mjs');
  await build({ entryPoints: [join(work, 'main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'silent' });
  const { stdout } = await run(process.execPath, [bundle], { env: { ...process.env, BASE: collector.httpUrl, TOKEN: admin.token }, timeout: 60_000 });
  const got = JSON.parse(stdout.trim()) as Record<string, unknown>;
  t.same(got, {
    username: 'alice', healthStatus: 'ok', tickets: 0, created: 'gen-client', role: 'viewer',
    mintByToken: 403, listed: ['tests', 'tests'], revoked: 1, missing: 404,
  }, 'the generated client read, created, listed and revoked through the real API, and saw its refusals as typed errors');
});
