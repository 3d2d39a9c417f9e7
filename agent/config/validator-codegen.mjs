// Build step (after tsc): compiles the agent config schema into a standalone validator module,
// so that the agent loads neither ajv's compiler nor TypeBox at run time (about 14 MiB of RSS on
// a small device). Never edit the output; change agent-config-schema.ts and run `npm run build`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { AgentConfigSchema } = await import(join(root, 'dist', 'agent', 'config', 'agent-config-schema.js'));
const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, code: { source: true } });
const validate = ajv.compile(AgentConfigSchema);
writeFileSync(join(root, 'dist', 'agent', 'config', 'agent-config-validate.gen.cjs'), standaloneCode.default(ajv, validate));
