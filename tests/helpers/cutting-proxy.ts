/**
 * A TCP proxy on 127.0.0.1 that can fail the way networks do: `blackhole()` stops forwarding in
 * both directions (publishes go nowhere, acknowledgements never come back) and `cut()` then
 * destroys every connection, so a client sees a transport error with publishes in flight that the
 * far side never received. New connections are forwarded normally again.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Connections accepted so far. */
  connections: () => number;
  blackhole: () => void;
  cut: () => void;
  close: () => Promise<void>;
}

export async function cuttingProxy(targetHost: string, targetPort: number): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  let holes = new WeakSet<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => { open.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.on('data', (b: Buffer) => { if (!holes.has(client)) upstream.write(b); });
    upstream.on('data', (b: Buffer) => { if (!holes.has(client)) client.write(b); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connections: () => accepted,
    blackhole: () => { for (const s of open) holes.add(s); },
    cut: () => { for (const s of [...open]) s.destroy(); holes = new WeakSet(); },
    close: async () => {
      for (const s of [...open]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
