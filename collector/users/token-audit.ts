/**
 * The audit records of API token changes (created, revoked one by one, all of a user's revoked at
 * once), whoever makes them (the API or `faultline user token …`). Never the token itself: only its
 * id and name.
 */
import { auditRecord, type Actor, type AuditRecord } from '../core/desk/audit-record.js';
import type { TokenInfo } from '../store/port.js';

export type TokenAction = 'token-create' | 'token-revoke' | 'token-revoke-all';

const REASONS: Record<TokenAction, string> = {
  'token-create': 'API token created',
  'token-revoke': 'API token revoked',
  'token-revoke-all': 'every API token of the user revoked',
};

export function tokenAudit(nowMs: number, actor: Actor, username: string, action: TokenAction, tokens: readonly TokenInfo[]): AuditRecord {
  const one = tokens.length === 1 ? tokens[0] : undefined;
  return auditRecord(nowMs, actor, { kind: 'user', id: username }, action, {
    reason: REASONS[action],
    details: action === 'token-revoke-all' || !one
      ? { count: tokens.length, tokenIds: tokens.map((t) => t.id).join(','), tokenNames: tokens.map((t) => t.name).join(',') }
      : { tokenId: one.id, tokenName: one.name },
  });
}

/** Who acts through `faultline user …`: the collector's command line, run by this OS user. */
export function cliActor(osUser: string): Actor {
  return { kind: 'system', id: 'cli', via: `os:${osUser}` };
}
