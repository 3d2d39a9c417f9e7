/**
 * Turns JSON-schema validation errors on a YAML config file into messages a person can act on:
 * which key, on which line, what is wrong, and how to fix it. Shared by the agent and the
 * collector config loaders. Pure: works on plain error objects.
 */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown> | undefined;
}

export interface ConfigProblem {
  key: string;
  line: number | undefined;
  /** 1-based column, when known. */
  col?: number | undefined;
  message: string;
  fix: string;
}

/** Where a key's value starts in the file (1-based). */
export interface Position {
  line: number;
  col: number;
}

/** Maps a key path to its line (or line and column) in the file, when known. */
export type LocateKey = (path: string[]) => number | Position | undefined;

/** The line and column of `path` as ConfigProblem fields. */
export function locate(lineOf: LocateKey, path: string[]): { line: number | undefined; col?: number } {
  const at = lineOf(path);
  return typeof at === 'object' ? { line: at.line, col: at.col } : { line: at };
}

function pathToKey(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function describeSchemaError(e: SchemaError, lineOf: LocateKey): ConfigProblem {
  const path = pathToKey(e.instancePath);
  const props = (e.parentSchema?.properties ?? {}) as Record<string, { description?: string }>;
  const here = path.join('.') || '(top level)';
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const full = [...path, extra];
      return { key: full.join('.'), ...locate(lineOf, full), message: `unknown key "${extra}"`, fix: `remove it, or use one of: ${Object.keys(props).join(', ')}` };
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      const full = [...path, missing];
      const desc = props[missing]?.description;
      return { key: full.join('.'), ...locate(lineOf, path), message: `missing required key "${missing}"`, fix: `add ${full.join('.')}${desc ? ` (${desc})` : ''}` };
    }
    default: {
      const desc = typeof e.parentSchema?.description === 'string' ? e.parentSchema.description : undefined;
      const allowed = Array.isArray(e.params.allowedValues) ? ` (one of ${e.params.allowedValues.join(', ')})` : '';
      return {
        key: here, ...locate(lineOf, path), message: `${e.message ?? e.keyword}${allowed}`,
        fix: desc ? `set ${here} to ${desc}` : `correct the value of ${here}`,
      };
    }
  }
}

export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${file}${p.line ? `:${p.line}${p.col ? `:${p.col}` : ''}` : ''}: ${p.key}: ${p.message}. Fix: ${p.fix}`).join('\n');
}
