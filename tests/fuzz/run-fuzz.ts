/**
 * `npm run fuzz`: throws FUZZ_INPUTS (default 1,000,000) inputs at the parsers of outside input,
 * shared by weight, plus FUZZ_API_INPUTS (default 20,000) random bodies at the API's routes, and
 * prints each target's count, time and any crash (shrunk, with the seed to replay it). Exits 1 on a
 * crash. FUZZ_SEED replays a run.
 */
import { apiUnderFuzz } from './api-under-fuzz.js';
import { PURE_TARGETS, runTarget, type TargetRun } from './targets.js';

function count(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${v}"`);
  return n;
}

const total = count('FUZZ_INPUTS', 1_000_000);
const apiInputs = count('FUZZ_API_INPUTS', 20_000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : count('FUZZ_SEED', 0);
const weights = PURE_TARGETS.reduce((n, target) => n + target.weight, 0);
const results: TargetRun[] = [];

const report = (r: TargetRun, seconds: number): void => {
  results.push(r);
  process.stdout.write(`${r.name.padEnd(26)} ${String(r.runs).padStart(9)} inputs  ${seconds.toFixed(1).padStart(6)} s  ${r.failure === null ? 'no crash' : `CRASH: ${r.failure}`}\n`);
};

for (const target of PURE_TARGETS) {
  const started = performance.now();
  report(await runTarget(target, Math.ceil((total * target.weight) / weights), seed), (performance.now() - started) / 1000);
}
const teardowns: Array<() => unknown> = [];
try {
  const { target } = await apiUnderFuzz({ teardown: (fn: () => unknown) => { teardowns.push(fn); } } as Parameters<typeof apiUnderFuzz>[0]);
  const started = performance.now();
  report(await runTarget(target, apiInputs, seed), (performance.now() - started) / 1000);
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
const inputs = results.reduce((n, r) => n + r.runs, 0);
const crashes = results.filter((r) => r.failure !== null).length;
process.stdout.write(`total: ${inputs} inputs, ${crashes} target(s) crashed\n`);
process.exitCode = crashes > 0 ? 1 : 0;
