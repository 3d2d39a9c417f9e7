/**
 * A TCP proxy on 127.0.0.1 in front of a real broker that decodes what passes (mqtt-packet,
 * MQTT 5) in both directions and records it, so a test can see at the broker's door which
 * packets a client sent and when (e.g. PUBACKs, and the CONNECT's Receive Maximum). `cut()`
 * destroys every connection, as a crashed client would leave them.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface TappedPacket {
  /** 'up': client to broker; 'down': broker to client. */
  dir: 'up' | 'down';
  /** Which accepted connection (0-based). */
  connection: number;
  packet: Packet;
}

export interface MqttTapProxy {
  url: string;
  readonly packets: readonly TappedPacket[];
  cut(): void;
  close(): Promise<void>;
}

export async function mqttTapProxy(targetHost: string, targetPort: number): Promise<MqttTapProxy> {
  const packets: TappedPacket[] = [];
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer((client) => {
    const connection = accepted++;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    const up = mqttPacket.parser({ protocolVersion: 5 });
    const down = mqttPacket.parser({ protocolVersion: 5 });
    up.on('packet', (packet: Packet) => packets.push({ dir: 'up', connection, packet }));
    down.on('packet', (packet: Packet) => packets.push({ dir: 'down', connection, packet }));
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => { open.delete(s); client.destroy(); upstream.destroy(); });
    }
    // record before forwarding, so a packet is on the list by the time the far side can answer it
    client.on('data', (b: Buffer) => { up.parse(b); upstream.write(b); });
    upstream.on('data', (b: Buffer) => { down.parse(b); client.write(b); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    packets,
    cut: () => { for (const s of [...open]) s.destroy(); },
    close: async () => {
      for (const s of [...open]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
