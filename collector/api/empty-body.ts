/** A POST without a body is validated as `{}`, so `curl -X POST …/start` works and a missing field is named. */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export function emptyBodyAsObject(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  req.body ??= {};
  done();
}
