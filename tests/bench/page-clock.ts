/** Time stamps comparable between this process and a browser page (the latency benches stamp on both sides). */
import type { Page } from 'playwright-core';
import { percentile } from './bench-processes.js';

/** This process's clock, as epoch milliseconds with sub-millisecond resolution (the page's performance clock is alike). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** The page's clock minus ours: the median of 20 page stamps, each against the midpoint of its round trip. */
export async function pageClockOffset(page: Page): Promise<number> {
  const offsets: number[] = [];
  for (let k = 0; k < 20; k++) {
    const a = nowMs();
    const p = await page.evaluate(() => performance.timeOrigin + performance.now());
    const b = nowMs();
    offsets.push(p - (a + b) / 2);
  }
  offsets.sort((x, y) => x - y);
  return percentile(offsets, 0.5);
}
