/**
 * Many connected devices at little cost to the bench process: each a bare TCP connection speaking
 * just enough MQTT 3.1.1 (mqtt-packet) to connect with its agent's client id (keep-alive off),
 * publish its birth at QoS 1 and stay connected. mqtt.js clients cost far more memory per
 * connection than a device does; what is measured here is the broker and the collectors.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { encodeBirth } from '../../protocol/codec.js';

export interface ConnectedFleet {
  /** Devices whose birth the broker acknowledged. */
  readonly born: number;
  close(): void;
}

function device(host: string, port: number, site: string, name: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`device ${site}/${name}: no PUBACK of its birth within ${timeoutMs} ms`)); }, timeoutMs);
    const fail = (err: Error): void => { clearTimeout(timer); socket.destroy(); reject(err); };
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) return fail(new Error(`device ${site}/${name}: CONNACK ${packet.returnCode}`));
        const birth = encodeBirth({
          device: name, site, adapterId: 'generic-vfd', model: 'VFD-4000', firmware: '2.3.1', agentVersion: 'bench', parameters: [],
          timeMs: Date.now(), sessionId: `${site}-${name}`,
        });
        socket.write(mqttPacket.generate({ cmd: 'publish', topic: `fl/v1/${site}/${name}/birth`, payload: Buffer.from(birth), qos: 1, messageId: 1, retain: false, dup: false }));
      } else if (packet.cmd === 'puback') {
        clearTimeout(timer);
        resolve(socket);
      }
    });
    parser.on('error', fail);
    socket.on('data', (b) => parser.parse(b));
    socket.on('error', fail);
    socket.on('connect', () => {
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `fl-${site}-${name}`, keepalive: 0 }));
    });
  });
}

/** Connects `count` devices (`site-<i % sites>/dev-<i>`), `wave` at a time; each publishes its birth and stays connected. */
export async function connectFleet(url: string, prefix: string, count: number, sites: number, wave = 500, timeoutMs = 30_000): Promise<ConnectedFleet> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  try {
    for (let start = 0; start < count; start += wave) {
      const batch = Array.from({ length: Math.min(wave, count - start) }, (_, i) => start + i);
      sockets.push(...await Promise.all(batch.map((i) => device(hostname, Number(port), `${prefix}-${i % sites}`, `dev-${i}`, timeoutMs))));
    }
  } catch (err) {
    for (const s of sockets) s.destroy();
    throw err;
  }
  return { born: sockets.length, close: () => { for (const s of sockets) s.destroy(); } };
}
