/**
 * PostgreSQL LISTEN/NOTIFY between collectors: how a change committed by one collector reaches
 * the live stream of every other within a second. A notification is delivered only if and when
 * its transaction commits, so listeners never see a change that was rolled back.
 *
 * PgListener holds one dedicated connection (LISTEN is per session, so not a pooled one), and
 * when that connection is lost it reconnects with backoff and listens again; it then reports a
 * `resync` so the owner re-reads what it may have missed while disconnected (notifications sent
 * meanwhile are not queued for it). Only a database that refuses the first attempt (unreachable,
 * a wrong URL or password) is given up on (start() rejects); a connection the server ends while it
 * is still being set up, even the first, is tried again like any other. start()/stop(); stop() closes the
 * connection and its timers.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { FaultlineError } from '../../../protocol/errors.js';
import { PG_TYPES, type Queryable } from './pool.js';

/** PostgreSQL's limit on a notification payload (bytes), minus nothing: longer ones fail. */
export const MAX_NOTIFY_BYTES = 7999;
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new FaultlineError('FL_ERR_STORE_PG_CHANNEL', `invalid notification channel ${JSON.stringify(channel)}`, {
      context: { channel }, hint: 'use 1-63 lower-case letters, digits or _, starting with a letter or _',
    });
  }
}

/** The server ended the connection (terminated, shutting down, starting up) rather than refused it: worth another try. */
function endedByServer(err: unknown): boolean {
  return String((err as { code?: unknown }).code ?? '').startsWith('57P') || /Connection terminated/.test((err as Error).message ?? '');
}

/** Sends a notification (delivered when the surrounding transaction commits, or at once outside one). */
export async function notify(q: Queryable, channel: string, payload: string): Promise<void> {
  checkChannel(channel);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > MAX_NOTIFY_BYTES) {
    throw new FaultlineError('FL_ERR_STORE_PG_NOTIFY_SIZE', `notification payload of ${bytes} bytes on ${channel} exceeds ${MAX_NOTIFY_BYTES}`, {
      context: { channel, bytes }, hint: 'send an id or a cursor and let listeners read the rest from the database',
    });
  }
  await q.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

export interface PgListenerOptions {
  url: string;
  channels: readonly string[];
  /** First reconnect delay (default 100 ms), doubled up to maxBackoffMs (default 5000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface PgListenerEvents {
  notification: [channel: string, payload: string];
  /** Listening again after a lost connection: re-read state, notifications may have been missed. */
  resync: [];
  /** A connection attempt or the connection failed (the listener keeps trying until stop()). */
  error: [err: Error];
}

export class PgListener extends EventEmitter<PgListenerEvents> {
  private client: pg.Client | undefined;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Attempts or connections that failed since the last time it listened (a resync is due once it listens again). */
  private failures = 0;
  private firstAttempt = true;

  constructor(private readonly opts: PgListenerOptions) {
    super();
    for (const c of opts.channels) checkChannel(c);
  }

  /**
   * Connects and listens. Resolves once listening, or once the first connection was ended by the
   * server while it was being set up (it then keeps trying, and says resync when it listens);
   * rejects when the database refuses it (unreachable, a wrong URL or password).
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.firstAttempt = true;
    this.failures = 0;
    await this.connect();
  }

  /** The backend pid of the listening connection (for tests and diagnostics). */
  get backendPid(): number | undefined {
    return (this.client as (pg.Client & { processID?: number }) | undefined)?.processID;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, types: PG_TYPES, application_name: 'faultline-listener' });
    client.on('notification', (n) => {
      if (this.client === client) this.emit('notification', n.channel, n.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    const first = this.firstAttempt;
    this.firstAttempt = false;
    let connected = false;
    try {
      await client.connect();
      connected = true;
      for (const c of this.opts.channels) await client.query(`LISTEN ${c}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      if (first && !connected && !endedByServer(err)) {
        this.stopped = true;
        throw new FaultlineError('FL_ERR_STORE_PG_LISTEN', `cannot listen for changes on the database: ${(err as Error).message}`, {
          cause: err, hint: 'check the --database URL and that PostgreSQL accepts connections',
        });
      }
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    const missed = this.failures > 0;
    this.failures = 0;
    if (missed) this.emit('resync');
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.stopped || (this.client !== undefined && this.client !== client)) return;
    if (this.client === client) this.client = undefined;
    if (this.retryTimer) return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    const base = this.opts.backoffMs ?? 100;
    const delay = Math.min(base * 2 ** this.failures, this.opts.maxBackoffMs ?? 5000);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
