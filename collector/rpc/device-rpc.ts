/** What the API needs of the RPC client (collector/rpc/rpc-client.ts implements it; tests fake it). */
import type { ParameterValue, RpcResponse } from '../../protocol/values.js';
import type { PendingTarget } from './pending-requests.js';

export type DeviceRpcOp =
  | { kind: 'read'; names: string[] }
  | { kind: 'describe' }
  | { kind: 'logs'; lines: number }
  /** Signed with writeKey by the client; the key never leaves the collector. */
  | { kind: 'write'; values: ParameterValue[]; writeKey: string };

export interface RpcAnswer {
  /** Always ok: an error answer is thrown as a FaultlineError with the agent's code. */
  response: RpcResponse;
  requestedAtMs: number;
  answeredAtMs: number;
}

export interface DeviceRpc {
  /** Sends one request and waits for its answer until its deadline (timeoutMs: default 5 s, writes 30 s; at most 30 s). */
  request(target: PendingTarget, op: DeviceRpcOp, timeoutMs?: number): Promise<RpcAnswer>;
  /** The broker holds the device's session now; undefined when the collector cannot tell. */
  isConnected(target: PendingTarget): boolean | undefined;
}
