/**
 * better-sqlite3 12 on Node 24: no native wrapper may be freed by the garbage collector.
 *
 * Node 24's `node::ObjectWrap` (node_object_wrap.h) adds an environment cleanup hook in its
 * constructor and removes it in its destructor with `RemoveEnvironmentCleanupHook(Isolate::GetCurrent())`,
 * which CHECKs that an Environment is current. better-sqlite3 12 builds its Database, Statement,
 * StatementIterator and Backup on that class. When V8 collects one that became unreachable, its
 * destructor runs inside the GC's weak callbacks, where no Environment is current, and the process
 * aborts: `Assertion failed: (env) != nullptr` in `Statement::~Statement()` (reproduced on 24.21.0:
 * prepare a statement, drop it, allocate until a full GC). Closing databases does not help: a closed
 * database's statements are still wrappers the GC frees. Wrappers still alive when the process ends
 * are freed by those cleanup hooks, inside the Environment, which is safe. (better-sqlite3 13 moved
 * to node-addon-api and has no such destructor, but needs Node >= 22 and does not run on Node 20.)
 *
 * So, on the Node versions whose ObjectWrap has the hook, every wrapper is kept reachable until exit:
 * - statements are interned per database and SQL text: preparing the same text again returns the
 *   statement already made (reset to plain rows: nothing in faultline keeps a statement in pluck,
 *   expand or raw mode, nor binds one with bind()), so per-call `db.prepare(sql)` and `db.pragma()`
 *   cost one statement per distinct text, not one per call; a statement still busy (an open iterator,
 *   a query re-entered from a user function) is not handed out again: a second one is made and kept;
 * - databases, iterators and backups are kept (one per open, per iterate(), per backup() call).
 * The patch goes onto the native prototypes once per thread (a worker has its own), before the
 * first database of the thread is opened: every module that opens one imports `sqlite-guard.ts`.
 */
import type BetterSqlite3 from 'better-sqlite3';

type NativeMethod = (this: object, ...args: unknown[]) => unknown;
interface NativeStatement {
  readonly busy: boolean;
  readonly reader: boolean;
  pluck(on: boolean): unknown;
  expand(on: boolean): unknown;
  raw(on: boolean): unknown;
}

/** True where Node's ObjectWrap removes a cleanup hook in its destructor (Node 24 is tested; 22 is not supported). */
export function nodeFreesWrappersUnsafely(nodeVersion = process.versions.node): boolean {
  return Number(nodeVersion.split('.')[0]) >= 24;
}

const kept = new Set<object>();
const statements = new Map<object, Map<string, NativeStatement[]>>();
let patched = false;

/** What this thread keeps alive, for tests. */
export function keptWrappers(): { databases: number; statements: number; others: number } {
  let st = 0;
  for (const byText of statements.values()) for (const list of byText.values()) st += list.length;
  return { databases: statements.size, statements: st, others: kept.size };
}

/** Patches the native prototypes of this thread's better-sqlite3 (idempotent); `force` applies it on any Node (tests). */
export function keepSqliteWrappersAlive(Database: typeof BetterSqlite3, force = false): boolean {
  if (patched) return true;
  if (!force && !nodeFreesWrappersUnsafely()) return false;
  const probe = new Database(':memory:');
  const native = nativeOf(probe);
  const dbProto = Object.getPrototypeOf(native) as Record<string, NativeMethod>;
  const sample = probe.prepare('SELECT 1');
  const stmtProto = Object.getPrototypeOf(sample) as Record<string, NativeMethod>;
  patchPrepare(dbProto);
  for (const name of ['exec', 'close']) keepThis(dbProto, name);
  keepResult(dbProto, 'backup');
  keepResult(stmtProto, 'iterate');
  kept.add(native).add(sample); // made before the patch: kept by hand
  patched = true;
  return true;
}

/** better-sqlite3 keeps its native handle under a private symbol of the JS Database. */
function nativeOf(db: BetterSqlite3.Database): object {
  const record = db as unknown as Record<symbol, unknown>;
  for (const key of Object.getOwnPropertySymbols(db)) {
    const value = record[key];
    if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).prepare === 'function') return value;
  }
  throw new Error('better-sqlite3: no native database handle found; this guard knows better-sqlite3 12');
}

function patchPrepare(proto: Record<string, NativeMethod>): void {
  const prepare = proto.prepare;
  if (!prepare) throw new Error('better-sqlite3: the native database has no prepare()');
  proto.prepare = function (this: object, ...args: unknown[]): unknown {
    const [sql, , pragmaMode] = args;
    if ((this as { open?: boolean }).open !== true) return prepare.apply(this, args); // throws as better-sqlite3 does
    const key = `${pragmaMode === true ? 'P' : 'S'}${String(sql)}`;
    let byText = statements.get(this);
    if (!byText) statements.set(this, (byText = new Map()));
    const list = byText.get(key) ?? [];
    const free = list.find((st) => !st.busy);
    if (free) return plain(free);
    const made = prepare.apply(this, args) as NativeStatement;
    list.push(made);
    byText.set(key, list);
    return made;
  };
}

/** A statement handed out again reads rows as a fresh one would. */
function plain(st: NativeStatement): NativeStatement {
  if (st.reader) {
    st.pluck(false);
    st.expand(false);
    st.raw(false);
  }
  return st;
}

function keepThis(proto: Record<string, NativeMethod>, name: string): void {
  const original = proto[name];
  if (!original) return;
  proto[name] = function (this: object, ...args: unknown[]): unknown {
    kept.add(this);
    return original.apply(this, args);
  };
}

function keepResult(proto: Record<string, NativeMethod>, name: string): void {
  const original = proto[name];
  if (!original) return;
  proto[name] = function (this: object, ...args: unknown[]): unknown {
    kept.add(this);
    const result = original.apply(this, args);
    if (typeof result === 'object' && result !== null) kept.add(result);
    return result;
  };
}
