/** Reads, parses and validates the agent's YAML config; every problem is reported with its key, line and fix. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { FaultlineError } from '../../protocol/errors.js';
import { describeSchemaError, formatProblems, type ConfigProblem } from '../../protocol/config-errors.js';
import { AgentConfigSchema, type AgentConfig } from './agent-config-schema.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
const validate = ajv.compile<AgentConfig>(AgentConfigSchema);

export function parseAgentConfig(text: string, file = '<config>'): AgentConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const msg = doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`).join('\n');
    throw new FaultlineError('FL_ERR_CONFIG_YAML', `${file} is not valid YAML:\n${msg}`, { context: { file }, hint: 'fix the YAML syntax at the line shown' });
  }
  return checkAgentConfig(doc.toJS() ?? {}, file, (path) => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
  });
}

/** Validates already-parsed config data (filling in defaults); `lineOf` maps a key path to its line when known. */
export function checkAgentConfig(data: unknown, file = '<config>', lineOf: (path: string[]) => number | undefined = () => undefined): AgentConfig {
  if (validate(data)) return data;
  const problems: ConfigProblem[] = (validate.errors ?? []).map((e) => describeSchemaError(e, lineOf));
  throw new FaultlineError('FL_ERR_CONFIG_INVALID', `${file} has ${problems.length} problem(s):\n${formatProblems(file, problems)}`, {
    context: { file, problems },
  });
}

export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FaultlineError('FL_ERR_CONFIG_READ', `cannot read config file ${file}: ${(cause as Error).message}`, {
      cause, context: { file }, hint: 'pass an existing YAML file with --config FILE',
    });
  }
  return parseAgentConfig(text, file);
}
