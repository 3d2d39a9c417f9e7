/**
 * Answers RPC requests from the collector on the device's own rpc/req topic: live reads of
 * named parameters (a fresh Modbus read, never the cache) and "describe". Every request with a
 * readable id gets exactly one response before its deadline, carrying values or a clear error.
 */
import type { Logger } from 'pino';
import { decodeRpcRequest, encodeRpcResponse } from '../protocol/codec.js';
import { errorCode, errorMessage, FaultlineError } from '../protocol/errors.js';
import type { DeviceBirth, RpcRequest, RpcResponse, Sample } from '../protocol/values.js';

export interface RpcDeps {
  knownParameters: () => ReadonlySet<string>;
  readLive: (names: readonly string[]) => Promise<Sample[]>;
  describe: () => DeviceBirth;
  respond: (payload: Uint8Array) => void;
  log: Logger;
  now?: () => number;
}

export class RpcHandler {
  badRequests = 0;
  answered = 0;

  constructor(private readonly deps: RpcDeps) {}

  handle(payload: Buffer): void {
    let req: RpcRequest;
    try {
      req = decodeRpcRequest(payload);
    } catch (err) {
      this.badRequests++;
      this.deps.log.warn({ code: errorCode(err), err: errorMessage(err), bytes: payload.length }, 'bad rpc request dropped');
      return;
    }
    void this.answer(req).then((res) => {
      const now = (this.deps.now ?? Date.now)();
      if (req.deadlineMs > 0 && now > req.deadlineMs) {
        this.deps.log.warn({ rpc: req.id, lateByMs: now - req.deadlineMs }, 'rpc answer ready after its deadline; not sent');
        return;
      }
      this.answered++;
      this.deps.respond(encodeRpcResponse(res));
    });
  }

  private async answer(req: RpcRequest): Promise<RpcResponse> {
    try {
      if (req.op.kind === 'describe') return { id: req.id, ok: true, values: [], description: this.deps.describe() };
      const known = this.deps.knownParameters();
      const names = req.op.names.length > 0 ? req.op.names : [...known];
      const unknown = names.filter((n) => !known.has(n));
      if (unknown.length > 0) {
        throw new FaultlineError('FL_ERR_RPC_UNKNOWN_PARAMETER', `unknown parameter(s): ${unknown.join(', ')}`, { context: { unknown } });
      }
      const now = (this.deps.now ?? Date.now)();
      const budget = req.deadlineMs > 0 ? req.deadlineMs - now : 5000;
      const values = await Promise.race([
        this.deps.readLive(names),
        new Promise<never>((_, reject) => setTimeout(() => reject(new FaultlineError('FL_ERR_RPC_TIMEOUT', `device did not answer within ${budget} ms`)), Math.max(0, budget - 50)).unref()),
      ]);
      return { id: req.id, ok: true, values };
    } catch (err) {
      const code = err instanceof FaultlineError && err.code.startsWith('FL_ERR_RPC_') ? err.code : 'FL_ERR_RPC_DEVICE_NOT_ANSWERING';
      return { id: req.id, ok: false, error: { code, message: errorMessage(err) }, values: [] };
    }
  }
}
