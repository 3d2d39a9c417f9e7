import t from 'tap';
import { collectorCommand } from '../../collector/cli.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (s: string) => { out.stdout += s; } },
    stderr: { write: (s: string) => { out.stderr += s; } },
  };
  return { out, io };
}

t.test('--help prints the usage and exits 0', async (t) => {
  const { out, io } = capture();
  t.equal(await collectorCommand(['--help'], io), 0);
  t.match(out.stdout, /Usage: faultline collector/);
  t.match(out.stdout, /--data-dir/);
});

t.test('bad flags exit 2 with a clear message and the usage', async (t) => {
  const table: Array<[string[], RegExp]> = [
    [['--nope'], /Unknown option '--nope'/],
    [['--mqtt-port', 'abc'], /--mqtt-port must be a port number 0-65535, got "abc"/],
    [['--http-port', '70000'], /--http-port must be a port number/],
    [['--mqtt-port', '-1'], /mqtt-port/],
    [['stray'], /stray/],
    [['--trust-proxy', 'proxy.example'], /--trust-proxy "proxy.example": "proxy.example" is not an IP address/],
  ];
  for (const [argv, message] of table) {
    const { out, io } = capture();
    t.equal(await collectorCommand(argv, io), 2, argv.join(' '));
    t.match(out.stderr, message, argv.join(' '));
    t.match(out.stderr, /Usage:/);
  }
});
