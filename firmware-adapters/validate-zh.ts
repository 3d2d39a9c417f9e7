/**
 * The optional Chinese texts of a fault, a log pattern or a knowledge entry (`zh`): each text the
 * English side has may have its Chinese twin; a twin is a non-empty string with some Chinese in it,
 * uses exactly the English text's `${group}` placeholders, and a diagnosis list keeps its length.
 * Unknown keys are refused. No `zh` at all is fine: the UI falls back to English.
 */
export interface ZhProblem { path: string; message: string }

type Obj = Record<string, unknown>;
const HAN = /[\u3400-\u9fff]/;
const placeholders = (s: string): string => [...s.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

export function validateZh(o: Obj, path: string, fields: readonly string[]): ZhProblem[] {
  const zh = o.zh;
  if (zh === undefined) return [];
  const at = `${path ? `${path}.` : ''}zh`;
  if (typeof zh !== 'object' || zh === null || Array.isArray(zh)) return [{ path: at, message: 'must be an object of Chinese texts' }];
  const out: ZhProblem[] = [];
  for (const [key, v] of Object.entries(zh as Obj)) {
    const p = `${at}.${key}`;
    if (!fields.includes(key)) { out.push({ path: p, message: `unknown text "${key}" (one of ${fields.join(', ')})` }); continue; }
    const en = o[key];
    if (key === 'diagnosis') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && HAN.test(x))) out.push({ path: p, message: 'must be a list of Chinese texts' });
      else if (Array.isArray(en) && v.length !== en.length) out.push({ path: p, message: `must have as many steps as the English (${en.length})` });
      continue;
    }
    if (typeof v !== 'string' || v.trim() === '' || !HAN.test(v)) { out.push({ path: p, message: 'must be a non-empty Chinese text' }); continue; }
    if (typeof en === 'string' && placeholders(en) !== placeholders(v)) out.push({ path: p, message: `must use the English text's placeholders (${placeholders(en) || 'none'})` });
  }
  return out;
}
