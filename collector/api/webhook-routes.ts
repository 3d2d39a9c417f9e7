/** POST /api/webhooks/deliveries/:id/resend: send a failed webhook delivery again (audited). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { resendDelivery, type ResendDeps } from '../desk/webhook-resend.js';
import { actorOf } from './actor.js';
import { DeliveryJson } from './webhook-schemas.js';
import { actionErrorResponses } from './schemas.js';

const DeliveryParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'the delivery\'s numeric id (GET /api/webhooks/deliveries)' }) });
type DeliveryParams = Static<typeof DeliveryParams>;

export async function webhookRoutes(app: FastifyInstance, opts: ResendDeps & { now: () => number }): Promise<void> {
  app.post<{ Params: DeliveryParams }>('/api/webhooks/deliveries/:id/resend', {
    schema: {
      summary: 'send a failed webhook delivery again (one more attempt, now); 409 unless it failed',
      params: DeliveryParams, response: { 200: DeliveryJson, ...actionErrorResponses },
    },
  }, async (req): Promise<Static<typeof DeliveryJson>> => {
    const d = await resendDelivery(opts, Number(req.params.id), actorOf(req), opts.now());
    req.log.info({ delivery: d.id, webhook: d.webhookId, by: actorOf(req).id }, 'webhook delivery sent again');
    return d;
  });
}
