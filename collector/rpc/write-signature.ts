/** Signs a parameter write the way agent/rpc-auth.ts checks it: hex HMAC-SHA256 of protocol/rpc-signing.ts's text. */
import { createHmac } from 'node:crypto';
import { writeSigningText } from '../../protocol/rpc-signing.js';
import type { ParameterValue } from '../../protocol/values.js';

export function signWrite(writeKey: string, site: string, device: string, id: string, deadlineMs: number, values: readonly ParameterValue[]): string {
  return createHmac('sha256', writeKey).update(writeSigningText(site, device, id, deadlineMs, values)).digest('hex');
}
