/** A minimal server-sent-events reader over node:http for tests: collects parsed events as they arrive. */
import { request, type IncomingMessage } from 'node:http';

export interface SseMessage {
  event: string;
  data: unknown;
}

export interface SseConnection {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly messages: SseMessage[];
  /** Raw comment lines seen (e.g. pings). */
  readonly comments: string[];
  readonly ended: Promise<void>;
  close(): void;
}

/** `onMessage`: called as each event arrives (e.g. to time it). */
export function openSse(url: string, headers: Record<string, string> = {}, onMessage?: (m: SseMessage) => void): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      let buffer = '';
      let endedResolve: () => void = () => {};
      const ended = new Promise<void>((r) => { endedResolve = r; });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) {
            const m = { event, data: JSON.parse(data.join('\n')) as unknown };
            messages.push(m);
            onMessage?.(m);
          }
        }
      });
      res.on('end', endedResolve);
      res.on('close', endedResolve);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, messages, comments, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
