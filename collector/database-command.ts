/**
 * What the CLI commands that work on the collector's store (`faultline user`,
 * `faultline device`) share: a usage error type, and running a command against the opened
 * database with one way of reporting failures — a usage error prints the message and the usage
 * (exit 2), a known FaultlineError its description (exit 1), anything else exit 70 — and the
 * database closed whatever happened.
 */
import { errorMessage, FaultlineError, UsageError } from '../protocol/errors.js';

export { UsageError };
import type { CommandIo } from './cli.js';
import { silentLogger } from '../protocol/logger.js';
import { openStore, type StorePort } from './store/index.js';


export async function onCollectorDatabase(
  command: { name: string; usage: string }, dataDir: string, nowMs: number, io: CommandIo, run: (store: StorePort) => Promise<number>,
): Promise<number> {
  let store: StorePort | undefined;
  try {
    store = await openStore({ dataDir, nowMs, log: silentLogger() });
    return await run(store);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faultline ${command.name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    io.stderr.write(`faultline ${command.name}: ${errorMessage(err)}\n`);
    return err instanceof FaultlineError ? 1 : 70;
  } finally {
    await store?.close();
  }
}
