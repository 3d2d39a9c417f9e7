/**
 * Firmware adapters from files: a user adds a device family as a JSON or YAML file (the same
 * shape as firmware-adapters/devices/*.ts) without touching code. Every file is validated;
 * problems are reported with the file and the path inside it. A file adapter with the id of a
 * built-in one replaces it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse } from 'yaml';
import { ADAPTERS } from '../../firmware-adapters/index.js';
import type { Adapter } from '../../firmware-adapters/schema.js';
import { validateAdapter } from '../../firmware-adapters/validate.js';
import { FaultlineError } from '../../protocol/errors.js';

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

function filesIn(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (cause) {
    throw new FaultlineError('FL_ERR_ADAPTER_FILE', `cannot read adapter path ${path}: ${(cause as Error).message}`, { cause, context: { path }, hint: 'fix adapterFiles in the agent config' });
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path).filter((f) => EXTENSIONS.has(extname(f))).sort().map((f) => join(path, f));
}

/** Loads and validates every adapter file (or directory of them); returns them ahead of the built-in adapters. */
export function loadAdapters(paths: readonly string[], builtIn: readonly Adapter[] = ADAPTERS): Adapter[] {
  const loaded: Adapter[] = [];
  const problems: string[] = [];
  for (const file of paths.flatMap(filesIn)) {
    let data: unknown;
    try {
      data = parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      problems.push(`${file}: not valid JSON/YAML: ${(cause as Error).message.split('\n')[0]}`);
      continue;
    }
    const found = validateAdapter(data);
    if (found.length > 0) {
      problems.push(...found.map((p) => `${file}: ${p.path || '(top level)'}: ${p.message}`));
      continue;
    }
    const adapter = data as Adapter;
    if (loaded.some((a) => a.id === adapter.id)) problems.push(`${file}: id "${adapter.id}" is already used by another adapter file`);
    loaded.push(adapter);
  }
  if (problems.length > 0) {
    throw new FaultlineError('FL_ERR_ADAPTER_INVALID', `adapter file problems:\n${problems.join('\n')}`, {
      context: { problems }, hint: 'fix the adapter files; firmware-adapters/schema.ts describes every field',
    });
  }
  return [...loaded, ...builtIn.filter((b) => !loaded.some((a) => a.id === b.id))];
}
