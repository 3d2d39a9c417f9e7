/**
 * "Tests that guard" (#15): four tests skipped themselves when socat or openssl was missing and tap
 * still exited 0, under CI too. A test file that needs a missing tool is run here as a child
 * process: without CI it skips (exit 0, the package named); with CI set it fails (exit ≠ 0).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { underCi } from '../helpers/required-tool.js';
import { tempDir } from '../helpers/temp-dir.js';

const helper = fileURLToPath(new URL('../helpers/required-tool.js', import.meta.url));

function runChild(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const dir = tempDir('faultline-tool-');
  try {
    const script = join(dir.path, 'needs-tool.test.mjs');
    writeFileSync(script, `
      import { testNeeding } from ${JSON.stringify(helper)};
      testNeeding({ name: 'no-such-tool-xyz', versionArgs: ['--version'], apt: 'no-such-package' }, 'needs the tool', async (t) => { t.pass('ran'); });
    `);
    const { CI: _ci, TAP: _tap, ...rest } = process.env;
    const r = spawnSync(process.execPath, [script], { env: { ...rest, ...env }, encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    dir.remove();
  }
}

t.test('outside CI a missing tool skips, naming the package', async (t) => {
  const r = runChild({});
  t.equal(r.status, 0, r.out);
  t.match(r.out, /# SKIP no-such-tool-xyz is not installed \(apt-get install no-such-package\)/);
});

t.test('under CI a missing tool fails', async (t) => {
  const r = runChild({ CI: 'true' });
  t.not(r.status, 0, 'tap exits non-zero');
  t.match(r.out, /not ok .* - no-such-tool-xyz is not installed, and under CI a missing tool fails instead of skipping: install the no-such-package package/);
});

t.test('what counts as CI', async (t) => {
  t.same(['true', '1', 'yes', '', '0', 'false', undefined].map((CI) => underCi(CI === undefined ? {} : { CI })), [true, true, true, false, false, false, false]);
});
