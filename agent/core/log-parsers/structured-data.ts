/**
 * RFC 5424 STRUCTURED-DATA (section 6.3): `-` or one or more `[SD-ID name="value" ...]`, values
 * with `\"`, `\\` and `\]` escaped. Scanned by hand so a malformed element cannot backtrack.
 */

export type StructuredData = Record<string, Record<string, string>>;

export type ScannedSd = { sd: StructuredData | undefined; end: number } | { error: string };

/** An SD-NAME character: printable US-ASCII except '=', ' ', ']' and '"'. */
function isNameChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 61 && c !== 93 && c !== 34;
}

function scanName(s: string, i: number): number {
  const from = i;
  while (i < s.length && i - from <= 32 && isNameChar(s.charCodeAt(i))) i++;
  return i;
}

/** Scans from `i` (the first character of STRUCTURED-DATA); `end` is just past it. */
export function scanStructuredData(s: string, i: number): ScannedSd {
  const c0 = s.charCodeAt(i);
  if (c0 === 45) return { sd: undefined, end: i + 1 }; // '-'
  if (c0 !== 91) return { error: `structured data must be "-" or start with "[" (column ${i + 1})` };
  const sd: StructuredData = Object.create(null) as StructuredData;
  while (s.charCodeAt(i) === 91) { // '['
    const idEnd = scanName(s, i + 1);
    if (idEnd === i + 1) return { error: `empty or invalid SD-ID at column ${i + 2}` };
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    sd[s.slice(i + 1, idEnd)] = params;
    i = idEnd;
    while (s.charCodeAt(i) === 32) {
      const nameEnd = scanName(s, i + 1);
      if (nameEnd === i + 1 || s.charCodeAt(nameEnd) !== 61 || s.charCodeAt(nameEnd + 1) !== 34) {
        return { error: `expected name="value" at column ${i + 2}` };
      }
      const name = s.slice(i + 1, nameEnd);
      i = nameEnd + 2;
      let value = '';
      let from = i;
      for (;;) {
        if (i >= s.length) return { error: `unterminated value of "${name}" (missing closing quote)` };
        const c = s.charCodeAt(i);
        if (c === 34) break; // '"'
        if (c === 92) { // '\': only \" \\ \] are escapes; any other backslash is kept as is
          const n = s.charCodeAt(i + 1);
          if (n === 34 || n === 92 || n === 93) {
            value += s.slice(from, i);
            from = i + 1;
            i += 2;
            continue;
          }
        }
        i++;
      }
      params[name] = value + s.slice(from, i);
      i++;
    }
    if (s.charCodeAt(i) !== 93) return { error: `expected "]" closing [${Object.keys(sd).pop() ?? ''} at column ${i + 1}` };
    i++;
  }
  return { sd, end: i };
}
