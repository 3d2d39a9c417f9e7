/**
 * What storing an event costs in PostgreSQL, before any adapter exists: rows shaped like the
 * collector's (a 20-sample JSONB snapshot), durable settings (fsync and synchronous_commit on, as
 * a cluster runs), one connection. Prints events/s and CPU µs per event in this process (node-
 * postgres) and in PostgreSQL (its backend and helpers), for three ways of writing:
 * one transaction per event, 100-row multi-VALUES INSERTs, UNNEST INSERTs of 100 and 500 rows
 * (plain and as a prepared statement), and a batch of duplicates (ON CONFLICT DO NOTHING). Figures
 * only; asserts nothing. The ingest bench's SQLite figure (68–71 µs per event with every desk
 * decision) is the yardstick the PostgreSQL adapter will be held to.
 */
import pg from 'pg';
import { migratePostgres, PG_TYPES } from '../../collector/store/postgres/index.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { childrenOf } from '../helpers/process-state.js';
import { processCpuMs } from './bench-processes.js';

const COLUMNS = ['id', 'device', 'site', 'seq', 'time_ms', 'source', 'category', 'code', 'severity', 'transition', 'message',
  'snapshot', 'log_excerpt', 'labels', 'adapter_id', 'remedy', 'received_ms', 'model', 'firmware'] as const;
const PG_TYPES_OF: Record<(typeof COLUMNS)[number], string> = {
  id: 'text', device: 'text', site: 'text', seq: 'bigint', time_ms: 'bigint', source: 'text', category: 'text', code: 'text',
  severity: 'text', transition: 'text', message: 'text', snapshot: 'jsonb', log_excerpt: 'jsonb', labels: 'jsonb',
  adapter_id: 'text', remedy: 'text', received_ms: 'bigint', model: 'text', firmware: 'text',
};

type Row = Array<string | number>;

function eventRows(prefix: string, n: number): Row[] {
  const now = Date.now();
  const snapshot = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ parameter: 'motor_current', value: 12 + i / 10, quality: 'good', timeMs: now - i * 100 })));
  return Array.from({ length: n }, (_, i) => [
    `${prefix}-${String(i).padStart(8, '0')}`, `drive-${i % 50}`, 'plant-a', i, now + i, 'modbus', 'hardware', 'vfd.overcurrent', 'critical',
    i % 2 ? 'clear' : 'raise', 'Output overcurrent trip', snapshot, '[]', '{"register":"fault_code","value":"1"}', 'generic-vfd',
    'Check the motor.', now + i, 'VFD-4000', '2.3.1',
  ]);
}

function postgresCpuMs(postmaster: number): number {
  return [postmaster, ...childrenOf(postmaster)].reduce((sum, pid) => sum + processCpuMs(pid), 0);
}

const valuesSql = (rows: number): string => `INSERT INTO events (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, (_, r) =>
  `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', ')} ON CONFLICT (id) DO NOTHING`;
const unnestSql = `INSERT INTO events (${COLUMNS.join(', ')}) SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES_OF[c]}[]`).join(', ')}) ON CONFLICT (id) DO NOTHING`;

export async function runPgEventsBench(): Promise<void> {
  const server = await startPostgres({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } });
  try {
    const url = await server.createDatabase('bench');
    const client = new pg.Client({ connectionString: url, types: PG_TYPES });
    await client.connect();
    await migratePostgres(client, { nowMs: Date.now() });
    process.stdout.write(`${server.version}, durable (fsync, synchronous_commit on), one connection, 20-sample JSONB snapshot per event\n`);

    const measure = async (label: string, rows: Row[], batch: number, write: (chunk: Row[]) => Promise<void>): Promise<void> => {
      const pgBefore = postgresCpuMs(server.pid);
      const cpuBefore = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < rows.length; i += batch) {
        await client.query('BEGIN');
        await write(rows.slice(i, i + batch));
        await client.query('COMMIT');
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpuBefore);
      const pgMs = postgresCpuMs(server.pid) - pgBefore;
      const per = (us: number): string => (us / rows.length).toFixed(0).padStart(4);
      process.stdout.write(`${label.padEnd(40)} ${Math.round(rows.length / seconds).toLocaleString('en-US').padStart(8)} events/s   CPU/event: node ${per(cpu.user + cpu.system)} µs, postgres ${per(pgMs * 1000)} µs\n`);
    };

    await measure('warm-up (100-row VALUES)', eventRows('w', 2000), 100, async (chunk) => { await client.query(valuesSql(chunk.length), chunk.flat()); });
    await measure('1 event per transaction', eventRows('a', 2000), 1, async (chunk) => { await client.query(valuesSql(1), chunk.flat()); });
    await measure('100-row multi-VALUES INSERT per tx', eventRows('b', 20_000), 100, async (chunk) => { await client.query(valuesSql(chunk.length), chunk.flat()); });
    await measure('100-row UNNEST INSERT per tx', eventRows('c', 20_000), 100, async (chunk) => {
      await client.query(unnestSql, COLUMNS.map((_, c) => chunk.map((r) => r[c])));
    });
    await measure('100-row UNNEST, prepared statement', eventRows('d', 20_000), 100, async (chunk) => {
      await client.query({ name: 'fl-insert-events', text: unnestSql, values: COLUMNS.map((_, c) => chunk.map((r) => r[c])) });
    });
    await measure('500-row UNNEST, prepared statement', eventRows('e', 20_000), 500, async (chunk) => {
      await client.query({ name: 'fl-insert-events', text: unnestSql, values: COLUMNS.map((_, c) => chunk.map((r) => r[c])) });
    });
    await measure('duplicates (100-row VALUES, all known)', eventRows('c', 5000), 100, async (chunk) => { await client.query(valuesSql(chunk.length), chunk.flat()); });
    await client.end();
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runPgEventsBench();
