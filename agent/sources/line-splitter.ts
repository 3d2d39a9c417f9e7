/**
 * Cuts bytes read from a log file into lines, remembering the file offset just past each line's
 * newline (what the tailer commits). Memory is bounded: a line longer than `maxLineBytes` keeps
 * its first `maxLineBytes` bytes (cut on a UTF-8 character boundary) followed by CLIP_MARK, the
 * rest is dropped up to its newline, and the line is counted as truncated. A trailing CR (CRLF files) is removed.
 * Bytes are decoded as UTF-8; invalid sequences become U+FFFD (see line-hygiene.ts).
 */

export interface SplitOutput {
  lines: string[];
  /** ends[i]: file offset just past lines[i]'s newline. */
  ends: number[];
}

/** The longest prefix of `buf` of at most `max` bytes that does not split a UTF-8 character. */
export function utf8Prefix(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

/** Appended to a line cut at maxLineBytes, so that nobody takes it for the whole line. */
export const CLIP_MARK = '…[clipped]';

export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private overflow = false;
  /** Lines cut to maxLineBytes. */
  truncated = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for a line that has no newline yet. */
  get pendingBytes(): number {
    return this.partialBytes;
  }

  /** `chunk` was read at file offset `at`. Complete lines go to `out`; the unterminated rest is held. */
  feed(chunk: Buffer, at: number, out: SplitOutput): void {
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) {
        this.hold(chunk.subarray(pos));
        return;
      }
      out.lines.push(this.line(chunk, pos, nl));
      out.ends.push(at + nl + 1);
      pos = nl + 1;
    }
  }

  /** The held unterminated bytes as a last line (the file was rotated or truncated), or undefined. */
  takePartial(): string | undefined {
    if (this.partialBytes === 0 && !this.overflow) return undefined;
    const bytes = Buffer.concat(this.partial, this.partialBytes);
    const clipped = this.overflow;
    if (clipped) this.truncated++;
    this.reset();
    return clipped ? decode(bytes, 0, bytes.length) + CLIP_MARK : decode(bytes, 0, bytes.length);
  }

  reset(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.overflow = false;
  }

  private line(chunk: Buffer, from: number, nl: number): string {
    if (this.partialBytes === 0 && !this.overflow) {
      if (nl - from <= this.maxLineBytes) return decode(chunk, from, nl);
      this.truncated++;
      const cut = utf8Prefix(chunk.subarray(from, nl), this.maxLineBytes);
      return decode(cut, 0, cut.length) + CLIP_MARK;
    }
    this.hold(chunk.subarray(from, nl));
    const overflow = this.overflow;
    const bytes = Buffer.concat(this.partial, this.partialBytes);
    this.reset();
    if (overflow) this.truncated++;
    return overflow ? decode(bytes, 0, bytes.length) + CLIP_MARK : decode(bytes, 0, bytes.length);
  }

  /** Keeps at most maxLineBytes of an unfinished line (a copy: the read buffer is reused). */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0 || this.overflow) return;
    const room = this.maxLineBytes - this.partialBytes;
    if (bytes.length <= room) {
      this.partial.push(Buffer.from(bytes));
      this.partialBytes += bytes.length;
      return;
    }
    // Over the limit: keep the longest whole-character prefix (this may drop a lead byte held earlier).
    this.overflow = true;
    const keep = Buffer.from(utf8Prefix(Buffer.concat([...this.partial, bytes.subarray(0, room + 4)]), this.maxLineBytes));
    this.partial = [keep];
    this.partialBytes = keep.length;
  }
}

function decode(buf: Buffer, from: number, to: number): string {
  if (to > from && buf[to - 1] === 13) to--; // CRLF
  return buf.toString('utf8', from, to);
}
