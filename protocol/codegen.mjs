// Generates the protobuf codec and its TypeScript declarations from faultline.proto.
// Output goes to protocol/gen/ (for the type checker) and dist/protocol/gen/ (for run time).
// Never edit the generated files; change faultline.proto and run `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, copyFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const proto = join(root, 'protocol', 'faultline.proto');
const genDir = join(root, 'protocol', 'gen');
const outJs = join(genDir, 'faultline.js');
const distDir = join(root, 'dist', 'protocol', 'gen');

const fresh = existsSync(outJs) && statSync(outJs).mtimeMs >= statSync(proto).mtimeMs;
if (!fresh) {
  mkdirSync(genDir, { recursive: true });
  execFileSync(process.execPath, [
    join(root, 'node_modules', 'protobufjs-cli', 'bin', 'pbjs'),
    '-t', 'static-module', '-w', 'esm', '--dependency', 'protobufjs/minimal.js',
    '--force-number', '--no-beautify', '-d', '-o', outJs, proto,
  ], { stdio: 'inherit' });
}
mkdirSync(distDir, { recursive: true });
copyFileSync(outJs, join(distDir, 'faultline.js'));
copyFileSync(join(genDir, 'faultline.d.ts'), join(distDir, 'faultline.d.ts'));
