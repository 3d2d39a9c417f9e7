// Build step (after tsc and the config validator codegen): bundles the agent CLI (dist/agent/cli.js
// and everything it imports) into one minified ES module, dist/agent-bundle/faultline-agent.mjs,
// which `faultline agent` loads (agent/launch.ts). One module instead of ~300 saves about 9 MiB
// of RSS on a small device. The config readers (agent/config/config-loader.js: yaml, the config
// and adapter validators) go into a second, CommonJS bundle, faultline-agent-config.cjs, which
// the launcher requires for start-up and then drops. Also writes inputs.json, the files the
// bundles were built from, so that bundles built from anything else are not used. Never edit the
// output; run `npm run build`.
//
// Left out of the bundle, loaded from node_modules when needed: better-sqlite3 (a native addon
// located at run time), modbus-serial and serialport (native; only for RTU on a serial port) and
// systeminformation (only where /proc and /sys cannot be read).
//
// Replaced by stubs, because the agent never uses them and they would be loaded (and their
// node built-ins with them) anyway: mqtt.js's WebSocket, WeChat and Alipay transports (the agent
// accepts only mqtt://, mqtts://, tcp:// and ssl:// URLs, agent/mqtt/client-options.ts), its
// SOCKS proxy support (MQTTJS_SOCKS_PROXY is not supported by the agent), its browser timers
// (worker-timers) and pino's worker-thread transports (thread-stream; the agent logs to stdout).
// The `debug` package (mqtt.js and mqtt-packet call it dozens of times per publish, and each call
// builds an argument array even when it prints nothing) is a no-op unless DEBUG is set when the
// agent starts; then the real one is loaded, so DEBUG=mqttjs* still traces the MQTT client.
// mqtt.js's TLS transport is loaded on the first mqtts:// connect instead of the first connect.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'agent-bundle');
const validator = join(root, 'dist', 'agent', 'config', 'agent-config-validate.gen.cjs');
// As esbuild resolves it: the real path (node_modules or a package in it may be a symlink, as pnpm installs them).
const mqttConnect = realpathSync(join(root, 'node_modules', 'mqtt', 'build', 'lib', 'connect'));
const unsupported = (what) => `() => { throw new Error(${JSON.stringify(`the faultline agent does not support ${what}`)}); }`;
/** [module name as required, directory of the requiring file (or any), CommonJS source of the stub]. */
const STUBS = [
  ['./ws', mqttConnect, `const u = ${unsupported('WebSocket broker URLs')}; module.exports = { default: u, streamBuilder: u, browserStreamBuilder: u };`],
  ['./wx', mqttConnect, `module.exports = { default: ${unsupported('WeChat broker URLs')} };`],
  ['./ali', mqttConnect, `module.exports = { default: ${unsupported('Alipay broker URLs')} };`],
  ['./socks', mqttConnect, `module.exports = { default: ${unsupported('SOCKS proxies (MQTTJS_SOCKS_PROXY)')} };`],
  ['./tls', mqttConnect, `module.exports = { default: (client, opts) => require(${JSON.stringify(join(mqttConnect, 'tls.js'))}).default(client, opts) };`],
  ['worker-timers', null, `const u = ${unsupported('browser timers')}; module.exports = { setInterval: u, clearInterval: u, setTimeout: u, clearTimeout: u };`],
  ['thread-stream', null, `module.exports = ${unsupported('pino transports')};`],
  ['debug', null, `if (process.env.DEBUG) module.exports = require(${JSON.stringify(join(root, 'node_modules', 'debug', 'src', 'index.js'))});
else {
  const off = () => { const d = () => {}; d.enabled = false; d.namespace = ''; d.extend = off; d.log = d; d.destroy = () => false; return d; };
  off.enable = () => {}; off.disable = () => ''; off.enabled = () => false; off.debug = off; off.default = off;
  module.exports = off;
}`],
];

const stubbed = new Set();
const plugin = {
  name: 'faultline-agent',
  setup(b) {
    // load-config.js requires the generated validator through createRequire(import.meta.url): bundle it instead.
    b.onLoad({ filter: /[\\/]dist[\\/]agent[\\/]config[\\/]load-config\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const call = "createRequire(import.meta.url)('./agent-config-validate.gen.cjs')";
      if (!text.includes(call)) throw new Error(`${args.path}: the validator require changed; update agent/bundle.mjs`);
      return { contents: text.replace(call, `require(${JSON.stringify(validator)})`), loader: 'js' };
    });
    STUBS.forEach(([name, from], i) => {
      const filter = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
      b.onResolve({ filter }, (args) => {
        if (from !== null && resolve(args.resolveDir) !== from) return undefined;
        stubbed.add(i);
        return { path: `${i}:${name}`, namespace: 'agent-stub' };
      });
    });
    b.onLoad({ filter: /.*/, namespace: 'agent-stub' }, (args) => ({ contents: STUBS[Number(args.path.split(':')[0])][2], loader: 'js', resolveDir: root }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', minify: process.env.FAULTLINE_BUNDLE_MINIFY !== '0', legalComments: 'none', metafile: true, logLevel: 'warning' };
const main = await build({
  ...common,
  entryPoints: [join(root, 'dist', 'agent', 'cli.js')],
  outfile: join(outDir, 'faultline-agent.mjs'),
  format: 'esm',
  external: ['better-sqlite3', 'modbus-serial', 'serialport', '@serialport/*', 'systeminformation'],
  // CommonJS modules inside an ES module bundle still call require() (node built-ins, the externals).
  banner: { js: "import { createRequire as __faultlineRequire } from 'node:module'; const require = __faultlineRequire(import.meta.url);" },
  plugins: [plugin, {
    // The config readers are the second bundle; agent/launch.ts hands them to the CLI and drops them after start-up.
    name: 'config-bundle',
    setup(b) {
      b.onResolve({ filter: /^\.\/config\/config-loader\.js$/ }, () => ({ path: './faultline-agent-config.cjs', external: true }));
    },
  }],
});
const config = await build({
  ...common,
  entryPoints: [join(root, 'dist', 'agent', 'config', 'config-loader.js')],
  outfile: join(outDir, 'faultline-agent-config.cjs'),
  format: 'cjs',
  plugins: [plugin],
});
const missed = STUBS.filter((_, i) => !stubbed.has(i)).map(([name]) => name);
if (missed.length > 0) process.stderr.write(`agent/bundle.mjs: warning: not required any more, so not stubbed: ${missed.join(', ')} (update STUBS)\n`);
mkdirSync(outDir, { recursive: true });
// What the bundles were built from: our compiled files by content (a `tsc` run that changes
// nothing keeps the bundles valid), installed packages by size and modification time.
const inputs = Object.fromEntries([...new Set([...Object.keys(main.metafile.inputs), ...Object.keys(config.metafile.inputs)])]
  .filter((f) => !f.includes(':'))
  .map((f) => relative(root, resolve(f)))
  .sort()
  .map((f) => {
    if (!f.startsWith('node_modules')) return [f, { sha256: createHash('sha256').update(readFileSync(join(root, f))).digest('hex') }];
    const st = statSync(join(root, f));
    return [f, { size: st.size, mtimeMs: st.mtimeMs }];
  }));
writeFileSync(join(outDir, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
