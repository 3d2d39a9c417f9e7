/**
 * Two connected in-memory duplex streams: what one side writes the other reads. The collector's
 * own MQTT client (device requests) talks to the embedded broker over such a pair, so it needs no
 * listener: it works when the broker listens on MQTTS only, and it takes no TCP port or socket.
 * Destroying or ending either side closes the other, as a socket would.
 */
import { Duplex, PassThrough } from 'node:stream';

export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const a = Duplex.from({ readable: bToA, writable: aToB });
  const b = Duplex.from({ readable: aToB, writable: bToA });
  const closeTogether = (self: Duplex, other: Duplex): void => {
    self.once('close', () => { if (!other.destroyed) other.destroy(); });
  };
  closeTogether(a, b);
  closeTogether(b, a);
  return [a, b];
}
