/**
 * A parsed YAML document as plain data, for the config loaders (agent config, desk config). `toJS`
 * throws a plain ReferenceError for an alias without its anchor (`*x`) or for too many aliases (a
 * "billion laughs" document); here that is bad input like any syntax error: FL_ERR_CONFIG_YAML.
 */
import type { Document } from 'yaml';
import { FaultlineError } from './errors.js';

export function yamlData(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause);
    throw new FaultlineError('FL_ERR_CONFIG_YAML', `${file} is not valid YAML: ${why}`, {
      cause, context: { file, problems: [why] }, hint: 'every alias (*name) needs an anchor (&name) before it, and aliases may not expand without bound',
    });
  }
}
