/**
 * Tests that need a system tool (socat, openssl): outside CI a missing tool skips the test, saying
 * which package to install; under CI (the CI environment variable set, as .ci/run and every CI
 * service set it) a missing tool FAILS the test, so a CI image that lacks it cannot pass silently.
 */
import { spawnSync } from 'node:child_process';
import t, { type Test } from 'tap';

export interface Tool {
  /** The command, e.g. 'socat'. */
  name: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs: string[];
  /** The Debian package that provides it. */
  apt: string;
}

export const SOCAT: Tool = { name: 'socat', versionArgs: ['-V'], apt: 'socat' };
export const OPENSSL: Tool = { name: 'openssl', versionArgs: ['version'], apt: 'openssl' };
export const STRACE: Tool = { name: 'strace', versionArgs: ['-V'], apt: 'strace' };

export function toolPresent(tool: Tool): boolean {
  return spawnSync(tool.name, tool.versionArgs, { stdio: 'ignore' }).status === 0;
}

export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** `t.test(name, fn)` when the tool is there; otherwise a skip, or under CI a failure naming the package. */
export function testNeeding(tool: Tool, name: string, fn: (t: Test) => Promise<void>, present = toolPresent(tool)): void {
  if (present) {
    t.test(name, fn);
  } else if (underCi()) {
    t.test(name, async (t) => {
      t.fail(`${tool.name} is not installed, and under CI a missing tool fails instead of skipping: install the ${tool.apt} package (.ci/run's apt list)`);
    });
  } else {
    t.test(name, { skip: `${tool.name} is not installed (apt-get install ${tool.apt}); under CI this fails` }, fn);
  }
}
