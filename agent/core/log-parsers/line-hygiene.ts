/**
 * What to do with a decoded line that is not clean text. The tailer decodes bytes as UTF-8, so
 * invalid sequences arrive here as U+FFFD. The rule (documented in the README's log section):
 *  - any NUL byte, or more than 30 % control characters and U+FFFD together → 'binary': skipped
 *    and counted (a binary file, a corrupted block after a crash, a mis-pointed path);
 *  - otherwise, any U+FFFD → 'replaced': kept with the replacement characters and counted, so a
 *    line in Latin-1 with one 'ö' still reaches the fault patterns;
 *  - else 'text'.
 * Tabs, CR, LF and ESC-colour codes alone do not make a line suspicious beyond the 30 % rule.
 */

export type LineClass = 'text' | 'replaced' | 'binary';

export const BINARY_RATIO = 0.3;

const SUSPICIOUS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;

export function classifyLine(text: string): LineClass {
  if (!SUSPICIOUS.test(text)) return 'text';
  let bad = 0;
  let replaced = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return 'binary';
    if (c === 0xfffd) { replaced++; bad++; } else if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) bad++;
  }
  if (bad > text.length * BINARY_RATIO) return 'binary';
  return replaced > 0 ? 'replaced' : 'text';
}
