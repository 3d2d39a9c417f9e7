/** Server-sent-event framing (pure): one event as the text the stream carries. */

/** `event: NAME` plus the JSON data on one `data:` line (JSON never contains a raw newline). */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the connection out. */
export const SSE_PING = ': ping\n\n';

/** Tells EventSource how soon to reconnect after the stream drops (ms). */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}
