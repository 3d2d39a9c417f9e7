/**
 * What the CLI commands that work on the collector's database file (`faultline user`,
 * `faultline device`) share: a usage error type, and running a command against the opened
 * database with one way of reporting failures — a usage error prints the message and the usage
 * (exit 2), a known FaultlineError its description (exit 1), anything else exit 70 — and the
 * database closed whatever happened.
 */
import type Database from 'better-sqlite3';
import { errorMessage, FaultlineError } from '../protocol/errors.js';
import type { CommandIo } from './cli.js';
import { openCollectorDatabase } from './security/open-database.js';

/** A mistake in the command line: reported with the command's usage text, exit 2. */
export class UsageError extends Error {}

export async function onCollectorDatabase(
  command: { name: string; usage: string }, dataDir: string, nowMs: number, io: CommandIo, run: (db: Database.Database) => Promise<number>,
): Promise<number> {
  let db: Database.Database | undefined;
  try {
    db = openCollectorDatabase(dataDir, nowMs);
    return await run(db);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faultline ${command.name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    io.stderr.write(`faultline ${command.name}: ${errorMessage(err)}\n`);
    return err instanceof FaultlineError ? 1 : 70;
  } finally {
    db?.close();
  }
}
