/**
 * The .deb's maintainer scripts, run for real as dpkg runs them (postinst configure on a first
 * install and on an upgrade, prerm upgrade, postrm purge), as root but in a private mount
 * namespace whose /etc and /var/lib are temp copies: they create the faultline-agent system user
 * in dialout, its state directory and the config's permissions, run twice without harm, keep the
 * state on purge, and leave this machine's own /etc untouched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildPackages } from '../helpers/agent-package.js';
import { tempDir } from '../helpers/temp-dir.js';


// Builds a package first (esbuild, tar, dpkg-deb and a smoke run): seconds on a quiet machine, a minute or more on a busy one.
t.setTimeout(240_000);

t.test('postinst, prerm and postrm create the user, the state directory and the config permissions, idempotently, in a sandboxed /etc', async (t) => {
  const [pkg] = await buildPackages(t, ['1']);
  const dir = tempDir('faultline-pkg-scripts-');
  t.teardown(dir.remove);
  const control = join(dir.path, 'DEBIAN');
  execFileSync('dpkg-deb', ['--control', pkg!.deb!, control]);
  const payload = join(dir.path, 'payload');
  execFileSync('dpkg-deb', ['-x', pkg!.deb!, payload]);

  // The sandbox: a copy of this machine's /etc with the package's config unpacked into it, an empty /var/lib.
  const etc = join(dir.path, 'etc');
  cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.startsWith('/etc/ssl/private') });
  mkdirSync(join(etc, 'faultline'), { recursive: true });
  copyFileSync(join(payload, 'etc', 'faultline', 'agent.yaml'), join(etc, 'faultline', 'agent.yaml'));
  const varLib = join(dir.path, 'var-lib');
  mkdirSync(varLib);
  const hostPasswd = readFileSync('/etc/passwd', 'utf8');

  const script = [
    'set -e',
    `mount --bind ${etc} /etc`,
    `mount --bind ${varLib} /var/lib`,
    `sh ${control}/postinst configure`,
    'echo "--- first"',
    'getent passwd faultline-agent',
    'id -nG faultline-agent',
    'stat -c "%U:%G %a %n" /var/lib/faultline-agent /etc/faultline/agent.yaml',
    `sh ${control}/prerm upgrade 0.2.0-2`,
    `sh ${control}/postinst configure 0.2.0-1`,
    'echo "--- again"',
    'getent passwd | grep -c "^faultline-agent:"',
    `sh ${control}/prerm remove`,
    `sh ${control}/postrm remove`,
    `sh ${control}/postrm purge`,
    'echo "--- purged"',
    'test -d /var/lib/faultline-agent && echo state kept',
  ].join('\n');
  const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
  t.equal(run.status, 0, `the scripts run as dpkg would (stderr: ${run.stderr.trim()})`);
  const [, first = '', again = '', purged = ''] = run.stdout.split(/--- (?:first|again|purged)\n/);

  const passwd = first.split('\n')[0]!.split(':');
  t.equal(passwd[0], 'faultline-agent', 'the faultline-agent user exists');
  t.ok(Number(passwd[2]) < 1000, `as a system user (uid ${passwd[2]})`);
  t.equal(passwd[5], '/var/lib/faultline-agent', 'home: its state directory');
  t.equal(passwd[6], '/usr/sbin/nologin', 'no login shell');
  t.match(first.split('\n')[1], /\bfaultline-agent\b.*\bdialout\b|\bdialout\b.*\bfaultline-agent\b/, 'in its own group and dialout');
  t.match(first, /faultline-agent:faultline-agent 750 \/var\/lib\/faultline-agent/, 'state directory owned by the user, 0750');
  t.match(first, /root:faultline-agent 640 \/etc\/faultline\/agent\.yaml/, 'config readable by root and the service only (it may hold passwords)');
  t.match(run.stdout, /edit \/etc\/faultline\/agent\.yaml/, 'the first install says what to do next');
  t.equal(again.split('\n')[0], '1', 'an upgrade\'s postinst runs again without a second user');
  t.match(purged, /state kept/, 'purge keeps the state directory (undelivered events)');
  t.match(run.stdout, /is kept \(its outbox may hold undelivered events\)/, 'and says so');
  t.equal(readFileSync('/etc/passwd', 'utf8'), hostPasswd, 'this machine\'s /etc/passwd is untouched');
});
