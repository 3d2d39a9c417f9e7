/** `npm run bench`: every benchmark in turn. Figures only; no pass/fail. */
import { runCodecBench } from './codec.bench.js';
import { runIngestBench } from './ingest.bench.js';

process.stdout.write(`faultline benchmarks — node ${process.version}, ${new Date().toISOString()}\n\n`);
runCodecBench();
process.stdout.write('\n');
await runIngestBench();
