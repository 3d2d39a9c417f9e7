/** GET /api/devices. */
import type { FastifyInstance } from 'fastify';
import type { Queries } from '../store/queries.js';
import { DeviceListJson, errorResponses } from './schemas.js';

export async function deviceRoutes(app: FastifyInstance, opts: { store: Queries }): Promise<void> {
  app.get('/api/devices', {
    schema: { response: { 200: DeviceListJson, ...errorResponses } },
  }, async (): Promise<DeviceListJson> => ({ devices: opts.store.listDevices() }));
}
