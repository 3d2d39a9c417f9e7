/**
 * The RPC client's errors (pure). Codes are stable: FL_ERR_RPC_OFFLINE (the device is not
 * connected: answered at once), FL_ERR_RPC_TIMEOUT (no answer before the deadline),
 * FL_ERR_RPC_UNAVAILABLE (the collector's own RPC client is not connected), FL_ERR_RPC_BUSY, and
 * the agent's own codes passed through (FL_ERR_RPC_UNKNOWN_PARAMETER, FL_ERR_RPC_NOT_WRITABLE,
 * FL_ERR_RPC_UNAUTHORIZED, FL_ERR_RPC_DEVICE_NOT_ANSWERING, …).
 */
import { FaultlineError, isErrorCode, type ErrorCode } from '../../protocol/errors.js';
import type { RpcResponse } from '../../protocol/values.js';
import type { PendingTarget } from './pending-requests.js';

const who = (t: PendingTarget): string => `${t.site}/${t.device}`;

export function offlineError(t: PendingTarget, why = 'is not connected to the broker'): FaultlineError {
  return new FaultlineError('FL_ERR_RPC_OFFLINE', `device ${who(t)} ${why}`, {
    context: { site: t.site, device: t.device }, hint: 'check that its agent runs and reaches the collector; try again once the device is online',
  });
}

export function timeoutError(t: PendingTarget, timeoutMs: number): FaultlineError {
  return new FaultlineError('FL_ERR_RPC_TIMEOUT', `device ${who(t)} did not answer within ${timeoutMs} ms`, {
    context: { site: t.site, device: t.device, timeoutMs }, hint: 'the agent is connected but busy or stuck; try again, or with a longer timeoutMs (at most 30000)',
  });
}

export function unavailableError(why: string): FaultlineError {
  return new FaultlineError('FL_ERR_RPC_UNAVAILABLE', `device requests are unavailable: ${why}`, {
    hint: 'the collector\'s RPC client is not connected to its broker; see the collector log',
  });
}

export function stoppedError(): FaultlineError {
  return new FaultlineError('FL_ERR_RPC_UNAVAILABLE', 'the collector is stopping; the device request was abandoned');
}

/** The agent's message without the " (FL_ERR_…)" and ". Fix: …" it appends. */
export function agentMessageText(message: string): string {
  return message.replace(/\s*\(FL_ERR_[A-Z0-9_]+\)(\. Fix: .*)?$/s, '').trim();
}

/**
 * The parameter names an agent's error message names: quoted (`unknown parameter "x"`,
 * `parameter "x" is not writable`) or listed (`unknown parameter(s): a, b`).
 */
export function namedParameters(message: string): string[] {
  const text = agentMessageText(message);
  const quoted = [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').filter((s) => s !== '');
  if (quoted.length > 0) return quoted;
  const listed = /parameter(?:\(s\)|s)?:\s*(.+)$/.exec(text);
  return listed?.[1] ? listed[1].split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

const AGENT_HINTS: Partial<Record<ErrorCode, string>> = {
  FL_ERR_RPC_UNKNOWN_PARAMETER: 'use names from the device\'s parameter catalogue (GET /api/devices/{site}/{device})',
  FL_ERR_RPC_NOT_WRITABLE: 'only parameters the catalogue marks writable can be written',
  FL_ERR_RPC_BAD_VALUE: 'write a value inside the parameter\'s range (the adapter\'s writeRange, or what its register holds)',
  FL_ERR_RPC_UNAUTHORIZED: 'the device\'s write key differs from the collector\'s: rotate it (device add --replace) and put the new writeKey in the agent config',
  FL_ERR_RPC_DEVICE_NOT_ANSWERING: 'the agent is up but the device behind it (Modbus) did not answer; check the device and its link',
  FL_ERR_RPC_TIMEOUT: 'the device behind the agent was too slow; try again or with a longer timeoutMs',
  FL_ERR_RPC_WRITE_REFUSED: 'the device answered the write with a Modbus exception: check that it accepts writes to this register in its current state (local/remote mode, running)',
  FL_ERR_RPC_WRITE_NOT_APPLIED: 'the device did not acknowledge the write and reads back another value: check the device, then write again',
  FL_ERR_RPC_WRITE_UNKNOWN: 'the device did not answer the write nor a read-back: read the parameter live once the device answers again before writing again',
};

/** An agent's error answer as a FaultlineError carrying the agent's code (never the request's signature). */
export function agentError(t: PendingTarget, res: RpcResponse): FaultlineError {
  // A code this collector does not know (a newer agent) is reported as a device error, with the agent's code kept in the context.
  const remote = res.error?.code ?? '';
  const code: ErrorCode = isErrorCode(remote) ? remote : 'FL_ERR_RPC_DEVICE_ERROR';
  const message = agentMessageText(res.error?.message ?? '') || 'the device refused the request without a reason';
  const problems = code === 'FL_ERR_RPC_UNKNOWN_PARAMETER' || code === 'FL_ERR_RPC_NOT_WRITABLE' || code === 'FL_ERR_RPC_BAD_VALUE' ? namedParameters(message) : [];
  const hint = AGENT_HINTS[code];
  return new FaultlineError(code, `device ${who(t)}: ${message}`, {
    context: {
      site: t.site, device: t.device, ...(remote !== code && remote !== '' ? { agentCode: remote } : {}), ...(problems.length > 0 ? { problems } : {}),
      ...(res.writeOutcome ? { writeOutcome: res.writeOutcome } : {}),
    },
    ...(hint ? { hint } : {}),
  });
}
