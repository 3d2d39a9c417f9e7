/**
 * A validator for routes whose input must be taken exactly as sent. Fastify's own Ajv coerces
 * types ("30" becomes 30, "true" becomes true); a write to a running machine must not guess, so
 * these routes validate with coercion off: a value of the wrong JSON type is a 400 that names
 * the field (e.g. "body/values/0/value must be number").
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchema } from 'fastify';

const ajv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Route option `validatorCompiler` for strict routes. */
export function strictValidatorCompiler({ schema }: { schema: FastifySchema }): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema as object);
    compiled.set(schema, v);
  }
  return v;
}
