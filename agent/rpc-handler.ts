/**
 * Answers RPC requests on a device's own rpc/req topic: live reads of named parameters (a fresh
 * Modbus read, never the cache), "describe", the last lines of its logs, and signed writes of
 * writable parameters. Every
 * request with a readable id gets exactly one response before its deadline, carrying values or
 * a clear error; remote writes are logged (never their signature).
 *
 * Every answer to a write says what became of it: applied (the device acknowledged it; the
 * answer carries the values read back), not applied (refused before anything was sent, or by
 * the device with an exception), or unknown. When the device does not answer the write (timeout,
 * broken link), the parameters are read back: the written values → applied; other values → not
 * applied; no answer again → unknown (a slave that was only stalled may still apply it later).
 * Unknown is never reported as a plain failure.
 */
import type { Logger } from '../protocol/logger.js';
import { decodeRpcRequest, encodeRpcResponse } from '../protocol/codec.js';
import { errorCode, errorMessage, FaultlineError } from '../protocol/errors.js';
import type { DeviceBirth, ParameterValue, RpcRequest, RpcResponse, Sample, WriteOutcome } from '../protocol/values.js';
import type { WriteAuthorizer } from './rpc-auth.js';

export interface RpcDeps {
  knownParameters: () => ReadonlySet<string>;
  readLive: (names: readonly string[]) => Promise<Sample[]>;
  write: (values: readonly ParameterValue[]) => Promise<void>;
  /** Reads the written parameters back: whether they hold the written values, and the samples. */
  readBack: (values: readonly ParameterValue[]) => Promise<{ matches: boolean; samples: Sample[] }>;
  authorizer: WriteAuthorizer;
  describe: () => DeviceBirth;
  recentLogLines: (n: number) => string[];
  respond: (payload: Uint8Array) => void;
  log: Logger;
  now?: () => number;
}

const DEFAULT_BUDGET_MS = 5000;

export class RpcHandler {
  badRequests = 0;
  answered = 0;
  writes = 0;
  refusedWrites = 0;

  constructor(private readonly deps: RpcDeps) {}

  private get nowMs(): number {
    return (this.deps.now ?? Date.now)();
  }

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
      const now = this.nowMs;
      if (req.deadlineMs > 0 && now > req.deadlineMs) {
        this.deps.log.warn({ rpc: req.id, lateByMs: now - req.deadlineMs }, 'rpc answer ready after its deadline; not sent');
        return;
      }
      this.answered++;
      this.deps.respond(encodeRpcResponse(res));
    });
  }

  private async withinDeadline<T>(req: RpcRequest, work: Promise<T>): Promise<T> {
    const budget = req.deadlineMs > 0 ? req.deadlineMs - this.nowMs : DEFAULT_BUDGET_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FaultlineError('FL_ERR_RPC_TIMEOUT', `device did not answer within ${budget} ms`)), Math.max(0, budget - 50));
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private unknown(names: readonly string[]): void {
    const known = this.deps.knownParameters();
    const missing = names.filter((n) => !known.has(n));
    if (missing.length > 0) throw new FaultlineError('FL_ERR_RPC_UNKNOWN_PARAMETER', `unknown parameter(s): ${missing.join(', ')}`, { context: { unknown: missing } });
  }

  private async answer(req: RpcRequest): Promise<RpcResponse> {
    try {
      switch (req.op.kind) {
        case 'describe':
          return { id: req.id, ok: true, values: [], description: this.deps.describe() };
        case 'logs':
          return { id: req.id, ok: true, values: [], logLines: this.deps.recentLogLines(req.op.lines) };
        case 'read': {
          const names = req.op.names.length > 0 ? req.op.names : [...this.deps.knownParameters()];
          this.unknown(names);
          return { id: req.id, ok: true, values: await this.withinDeadline(req, this.deps.readLive(names)) };
        }
        case 'write': {
          const { values, signature } = req.op;
          this.unknown(values.map((v) => v.name));
          try {
            this.deps.authorizer.check(req.id, req.deadlineMs, values, signature, this.nowMs);
          } catch (err) {
            this.refusedWrites++;
            this.deps.log.warn({ rpc: req.id, parameters: values.map((v) => v.name), err: errorMessage(err) }, 'remote write refused');
            throw err;
          }
          return await this.writeAndVerify(req, values);
        }
      }
    } catch (err) {
      const code = err instanceof FaultlineError && err.code.startsWith('FL_ERR_RPC_') ? err.code : 'FL_ERR_RPC_DEVICE_NOT_ANSWERING';
      const res: RpcResponse = { id: req.id, ok: false, error: { code, message: errorMessage(err) }, values: [] };
      // Whatever failed before writeAndVerify sent anything (unknown parameter, bad signature, bad value): nothing was written.
      if (req.op.kind === 'write') res.writeOutcome = 'not-applied';
      return res;
    }
  }

  private async writeAndVerify(req: RpcRequest, values: readonly ParameterValue[]): Promise<RpcResponse> {
    const parameters = values.map((v) => v.name);
    let failure: unknown;
    try {
      await this.withinDeadline(req, this.deps.write(values));
    } catch (err) {
      // Refused before a byte went out (not writable, inexact or out-of-range value): nothing to verify.
      if (err instanceof FaultlineError && ['FL_ERR_RPC_NOT_WRITABLE', 'FL_ERR_RPC_BAD_VALUE', 'FL_ERR_RPC_UNKNOWN_PARAMETER'].includes(err.code)) throw err;
      failure = err;
    }
    if (failure === undefined) {
      this.writes++;
      this.deps.log.info({ rpc: req.id, values }, 'remote write applied');
      // Acknowledged by the device: applied. The read-back is what the answer shows (none if it fails now).
      const samples = await this.withinDeadline(req, this.deps.readLive(parameters)).catch(() => []);
      return { id: req.id, ok: true, writeOutcome: 'applied', values: samples };
    }
    const refused = failure instanceof FaultlineError && failure.code === 'FL_ERR_RPC_WRITE_REFUSED';
    const back = await this.withinDeadline(req, this.deps.readBack(values)).catch(() => null);
    let outcome: WriteOutcome;
    let code: string;
    let message: string;
    if (back?.matches) {
      outcome = 'applied';
      this.writes++;
      this.deps.log.warn({ rpc: req.id, values, err: errorMessage(failure) }, 'remote write not acknowledged, but the device reads back the written values: applied');
      return { id: req.id, ok: true, writeOutcome: outcome, values: back.samples };
    }
    if (back || refused) {
      outcome = 'not-applied';
      code = refused ? 'FL_ERR_RPC_WRITE_REFUSED' : 'FL_ERR_RPC_WRITE_NOT_APPLIED';
      const readBack = back ? `; it reads back ${back.samples.map((s) => `${s.parameter}=${s.value}`).join(', ')}` : '';
      message = `${refused ? errorMessage(failure) : `the write was not acknowledged (${errorMessage(failure)})`}${readBack}`;
    } else {
      outcome = 'unknown';
      code = 'FL_ERR_RPC_WRITE_UNKNOWN';
      message = `the device did not answer the write (${errorMessage(failure)}) nor a read-back: it may still apply it; read ${parameters.join(', ')} again to know`;
    }
    this.deps.log.warn({ rpc: req.id, values, outcome, err: errorMessage(failure) }, `remote write ${outcome}`);
    return { id: req.id, ok: false, writeOutcome: outcome, error: { code, message }, values: back?.samples ?? [] };
  }
}
