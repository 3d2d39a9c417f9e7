/** A drainer's connection for unit tests: records every publish and acknowledges only when told. */
import type { Publishable, PublishFn } from '../../agent/mqtt/drainer.js';

export interface PendingPublish {
  msg: Publishable;
  done: (err?: Error) => void;
}

export interface FakeConnection {
  publish: PublishFn;
  pending: PendingPublish[];
  /** One label per publish, in order. */
  sent: string[];
  ackAll: () => void;
}

/** `label` names a publish in `sent` (default: the kind's first letter and the payload as text). */
export function fakeConnection(label: (msg: Publishable) => string = (m) => `${m.kind[0]}${Buffer.from(m.payload).toString()}`): FakeConnection {
  const pending: PendingPublish[] = [];
  const sent: string[] = [];
  return {
    pending, sent,
    publish: (msg, done) => {
      sent.push(label(msg));
      pending.push({ msg, done });
    },
    ackAll: () => { for (const p of pending.splice(0)) p.done(); },
  };
}
