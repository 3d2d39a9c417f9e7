/** The full API (as the route walk builds it) on a desk harness, with an admin's token, for the API fuzz target. */
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { KnowledgeService } from '../../collector/knowledge/knowledge-service.js';
import type { DeviceRpc, RpcAnswer } from '../../collector/rpc/device-rpc.js';
import { DeviceProvisioning } from '../../collector/security/device-provisioning.js';
import { apiCaller } from '../helpers/api-auth.js';
import { deskApi } from '../helpers/desk-api.js';
import { birth, deskHarness, fault, T0 } from '../helpers/desk-harness.js';
import { apiTarget, bodyOperations, type FuzzTarget } from './targets.js';

const answeringRpc: DeviceRpc = {
  request: async (): Promise<RpcAnswer> => ({ response: { id: 'x', ok: true, values: [] }, requestedAtMs: 1, answeredAtMs: 2 }),
  isConnected: () => true,
};

/** Only `teardown` of a tap Test is used: the fuzz runner passes its own. */
export type Teardowns = Pick<Test, 'teardown'>;

export async function apiUnderFuzz(t: Teardowns): Promise<{ app: FastifyInstance; target: FuzzTarget }> {
  const h = await deskHarness(t as Test);
  const app = await deskApi(t as Test, h, {
    knowledge: new KnowledgeService(h.store.knowledge),
    devices: { rpc: answeringRpc, provisioning: new DeviceProvisioning(h.store) },
  });
  await h.commit(birth(), fault('raise', T0));
  const admin = await apiCaller(h.store, 'admin', 'fuzz-admin');
  const ops = await bodyOperations(app, admin.headers);
  return { app, target: apiTarget(app, ops, admin.headers) };
}
