/**
 * A bounded ring of the most recent log lines, so that a fault event can carry the lines that
 * led up to it and an engineer can fetch the last N lines. Pure data structure, O(1) per line.
 * Lines longer than `maxLineChars` are stored shortened (ending in '…'): an excerpt travels in
 * every event and must stay small.
 */

export class RecentLines {
  private readonly ring: string[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number, private readonly maxLineChars = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentLines capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<string>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(line: string): void {
    this.ring[this.next] = line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars - 1)}…` : line;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** A record's text: each of its lines. */
  pushText(text: string): void {
    if (!text.includes('\n')) return this.push(text);
    for (const line of text.split('\n')) this.push(line);
  }

  /** The last `n` lines (all when fewer), oldest first. */
  last(n: number): string[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out = new Array<string>(k);
    let i = (this.next - k + this.capacity) % this.capacity;
    for (let j = 0; j < k; j++) {
      out[j] = this.ring[i]!;
      i = (i + 1) % this.capacity;
    }
    return out;
  }
}
