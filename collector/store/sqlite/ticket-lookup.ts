/**
 * Read-only view of a ticket for the knowledge base: its code and title, the device's model and
 * firmware (device registry), the adapter family pattern, and its resolution when the tickets
 * table has the service desk's `resolution` column (JSON {cause, action, fix}). Columns the
 * schema does not have yet read as absent, never as an error.
 */
import type { Database } from 'better-sqlite3';
import { ADAPTERS } from '../../../firmware-adapters/index.js';
import type { Adapter } from '../../../firmware-adapters/schema.js';
import type { KbTicket, TicketRefInput } from '../port/knowledge.js';

interface Row {
  id: number;
  number: string;
  title: string;
  code: string;
  site: string;
  device: string;
  status: string;
  adapter_id: string;
  model: string | null;
  firmware: string | null;
  resolution: string | null;
}

function parseResolution(text: string | null): KbTicket['resolution'] {
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as { cause?: unknown; action?: unknown; fix?: unknown };
    if (typeof r.cause !== 'string' || typeof r.action !== 'string') return null;
    return { cause: r.cause, action: r.action, fix: r.fix === 'workaround' ? 'workaround' : 'permanent' };
  } catch {
    return null;
  }
}

export class TicketLookup {
  private readonly byId;
  private readonly byNumber;

  constructor(db: Database, private readonly adapters: readonly Adapter[] = ADAPTERS) {
    const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(tickets)').all().map((c) => c.name));
    const resolution = columns.has('resolution') ? 't.resolution' : 'NULL';
    const sql = `SELECT t.id, t.number, t.title, t.code, t.site, t.device, t.status, t.adapter_id, d.model, d.firmware, ${resolution} AS resolution
      FROM tickets t LEFT JOIN devices d ON d.site = t.site AND d.device = t.device`;
    this.byId = db.prepare<[number], Row>(`${sql} WHERE t.id = ?`);
    this.byNumber = db.prepare<[string], Row>(`${sql} WHERE t.number = ?`);
  }

  find(ref: TicketRefInput): KbTicket | undefined {
    const r = 'id' in ref ? this.byId.get(ref.id) : this.byNumber.get(ref.number);
    if (!r) return undefined;
    const adapter = this.adapters.find((a) => a.id === r.adapter_id);
    return {
      id: r.id, number: r.number, title: r.title, code: r.code, site: r.site, device: r.device, status: r.status,
      model: r.model ?? '', firmware: r.firmware ?? '', familyPattern: adapter?.match.model ?? null, resolution: parseResolution(r.resolution),
    };
  }
}
