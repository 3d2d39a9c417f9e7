/** Server-sent-event framing (pure): one event as the text the stream carries. */

/** `event: NAME` plus the JSON data on one `data:` line (JSON never contains a raw newline). */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The ping: keeps proxies and the browser from timing the connection out, and carries the server's
 * time, so that an open page keeps its clock offset current (the browser's clock may be set while
 * the page is open) for judging ages; pages that do not listen for `clock` ignore it.
 */
export function sseClock(serverTimeMs: number): string {
  return sseEvent('clock', { serverTimeMs });
}

/** Tells EventSource how soon to reconnect after the stream drops (ms). */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}
