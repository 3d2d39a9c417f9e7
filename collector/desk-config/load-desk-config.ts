/**
 * Reads, parses and validates the desk config file. Every problem is reported at once with its
 * file, line, key and a fix, e.g.
 * `desk.yaml:12: routing: rule drives: unknown team drive. Fix: route to teams that exist`.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { yamlData } from '../../protocol/yaml-data.js';
import { describeSchemaError } from '../../protocol/config-errors.js';
import { FaultlineError } from '../../protocol/errors.js';
import { DeskConfigSchema, type DeskConfig } from './desk-config-schema.js';
import { compileDeskConfig, configInvalid, DEFAULTS_SOURCE, type DeskSettings } from './desk-settings.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
const validate = ajv.compile<DeskConfig>(DeskConfigSchema);

type LineOf = (path: string[]) => number | undefined;

/** Validates parsed config data (filling in defaults) and compiles it. */
export function checkDeskConfig(data: unknown, source: string, nowMs: number, lineOf: LineOf = () => undefined): DeskSettings {
  const copy: unknown = structuredClone(data ?? {});
  if (!validate(copy)) throw configInvalid(source, (validate.errors ?? []).map((e) => describeSchemaError(e, lineOf)));
  return compileDeskConfig(copy, source, nowMs, lineOf);
}

export function parseDeskConfig(text: string, file: string, nowMs: number): DeskSettings {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const msg = doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`).join('\n');
    throw new FaultlineError('FL_ERR_CONFIG_YAML', `${file} is not valid YAML:\n${msg}`, {
      context: { file, problems: msg.split('\n') }, hint: 'fix the YAML syntax at the line shown',
    });
  }
  return checkDeskConfig(yamlData(doc, file), file, nowMs, (path) => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
  });
}

export function loadDeskConfig(file: string, nowMs: number): DeskSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FaultlineError('FL_ERR_CONFIG_READ', `cannot read config file ${file}: ${(cause as Error).message}`, {
      cause, context: { file, problems: [`${file}: ${(cause as Error).message}`] }, hint: 'pass an existing YAML file with --config FILE',
    });
  }
  return parseDeskConfig(text, file, nowMs);
}

/** The desk with no config file: one team "support", 24x7, the default SLA policy. */
export function defaultDeskSettings(nowMs: number): DeskSettings {
  return checkDeskConfig({}, DEFAULTS_SOURCE, nowMs);
}
