/** GET /api/config (the routing / SLA / team view, secrets redacted) and POST /api/admin/reload-config. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DeskConfigSchema } from '../desk-config/desk-config-schema.js';
import { configView, type ConfigView } from '../desk-config/config-view.js';
import type { DeskService } from '../desk/desk-service.js';
import { actorOf } from './actor.js';
import { actionErrorResponses, errorResponses } from './schemas.js';

const ConfigJson = Type.Object({
  source: Type.String({ description: 'the config file, or (built-in defaults)' }),
  loadedAtMs: Type.Number(),
  config: DeskConfigSchema,
});

const ReloadJson = Type.Object({ reloaded: Type.Literal(true), source: Type.String(), loadedAtMs: Type.Number() });
type ReloadJson = Static<typeof ReloadJson>;

export async function adminRoutes(app: FastifyInstance, opts: { desk: DeskService }): Promise<void> {
  const { desk } = opts;

  app.get('/api/config', {
    schema: { summary: 'the service-desk config in use (webhook secrets and URL credentials redacted)', response: { 200: ConfigJson, ...errorResponses } },
  }, async (): Promise<ConfigView> => configView(desk.settings()));

  app.post('/api/admin/reload-config', {
    schema: {
      summary: 're-read the config file; an invalid file is refused with its problems and the config in use stays',
      response: { 200: ReloadJson, ...actionErrorResponses },
    },
  }, async (req): Promise<ReloadJson> => {
    const actor = actorOf(req);
    const next = await desk.reloadConfig(actor);
    req.log.info({ actor: actor.id, source: next.source }, 'config reloaded through the API');
    return { reloaded: true, source: next.source, loadedAtMs: next.loadedAtMs };
  });
}
