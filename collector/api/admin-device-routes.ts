/**
 * Device credentials through the API: POST /api/admin/devices issues (or, with replace, rotates)
 * a device's broker password and write key and shows both once; GET /api/admin/devices lists the
 * credentials (never a secret); DELETE /api/admin/devices/:site/:device revokes the credential and
 * forgets the write key. Each change is audited with the acting user.
 */
import type { FastifyInstance } from 'fastify';
import { auditRecord } from '../core/desk/audit-record.js';
import { deviceSubjectId } from '../core/devices/device-audit.js';
import type { DeskService } from '../desk/desk-service.js';
import type { DeviceProvisioning } from '../security/device-provisioning.js';
import { deviceUsername } from '../security/acl-rules.js';
import { actorOf } from './actor.js';
import { deviceError } from './device-errors.js';
import {
  AddDeviceBody, CredentialListJson, DeviceParams, IssuedDeviceJson, RevokedJson,
} from './device-schemas.js';
import { actionErrorResponses, errorResponses } from './schemas.js';

export interface AdminDeviceRoutesOptions {
  provisioning: DeviceProvisioning;
  /** Audits the changes when given. */
  desk?: DeskService;
  now?: () => number;
}

export async function adminDeviceRoutes(app: FastifyInstance, opts: AdminDeviceRoutesOptions): Promise<void> {
  const { provisioning, desk } = opts;
  const now = opts.now ?? Date.now;

  app.get('/api/admin/devices', {
    schema: { summary: 'broker credentials of devices and services (never a password or write key)', response: { 200: CredentialListJson, ...errorResponses } },
  }, async (): Promise<CredentialListJson> => {
    return { credentials: await provisioning.list() };
  });

  app.post<{ Body: AddDeviceBody }>('/api/admin/devices', {
    schema: {
      summary: 'issue a device\'s broker password and write key (shown once); replace: true rotates both',
      body: AddDeviceBody, response: { 200: IssuedDeviceJson, ...actionErrorResponses },
    },
  }, async (req, reply): Promise<IssuedDeviceJson> => {
    const { site, device, replace } = req.body;
    void reply.header('cache-control', 'no-store'); // the password and write key are in this reply only
    const actor = actorOf(req);
    const issued = await provisioning.issue(site, device, now(), { replace: replace ?? false });
    await desk?.appendAudit([auditRecord(now(), actor, { kind: 'device', id: deviceSubjectId(site, device) }, issued.replaced ? 'credential-rotate' : 'credential-issue', {
      reason: `${issued.replaced ? 'new' : 'first'} broker password and write key issued by ${actor.id}`,
    })]);
    req.log.info({ actor: actor.id, site, device, replaced: issued.replaced }, 'device credential issued through the API');
    return issued;
  });

  app.delete<{ Params: DeviceParams }>('/api/admin/devices/:site/:device', {
    schema: {
      summary: 'revoke a device\'s broker credential (its sessions are dropped within seconds) and forget its write key',
      params: DeviceParams, response: { 200: RevokedJson, ...errorResponses },
    },
  }, async (req): Promise<RevokedJson> => {
    const { site, device } = req.params;
    const actor = actorOf(req);
    if (!(await provisioning.revoke(site, device, now()))) {
      throw deviceError('FL_ERR_DEVICE_CREDENTIAL_UNKNOWN', `no active credential or write key for ${site}/${device}`, {
        context: { site, device }, hint: 'GET /api/admin/devices lists the credentials',
      });
    }
    await desk?.appendAudit([auditRecord(now(), actor, { kind: 'device', id: deviceSubjectId(site, device) }, 'credential-revoke', {
      reason: `broker credential revoked and write key forgotten by ${actor.id}`,
    })]);
    req.log.info({ actor: actor.id, site, device }, 'device credential revoked through the API');
    return { revoked: true, username: deviceUsername(site, device) };
  });
}
