/** The Debian side of the agent package: architecture names, the control file, the .deb tree around the program. */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { FaultlineError } from '../../protocol/errors.js';

/** Node's process.arch → Debian's architecture name. */
const DEBIAN_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };

export function debianArch(nodeArch: string): string {
  const arch = DEBIAN_ARCH[nodeArch];
  if (arch === undefined) {
    throw new FaultlineError('FL_ERR_PACKAGE_ARCH', `no Debian architecture is known for Node's "${nodeArch}"`, {
      context: { arch: nodeArch }, hint: `build on one of: ${Object.keys(DEBIAN_ARCH).join(', ')}`,
    });
  }
  return arch;
}

/** Debian's rule for a package revision: starts with a digit; digits, letters and + . ~ only. */
export function checkRevision(revision: string): string {
  if (!/^[0-9][A-Za-z0-9+.~]*$/.test(revision)) {
    throw new FaultlineError('FL_ERR_PACKAGE_VERSION', `package revision "${revision}" is not valid`, {
      context: { revision }, hint: 'use a number, optionally followed by letters, digits, "+", "." or "~" (e.g. 1, 2, 1~rc1)',
    });
  }
  return revision;
}

export interface ControlFields {
  version: string;
  arch: string;
  nodeMajor: number;
  installedKiB: number;
}

export function controlFile(f: ControlFields): string {
  return [
    'Package: faultline-agent',
    `Version: ${f.version}`,
    `Architecture: ${f.arch}`,
    'Maintainer: faultline maintainers <faultline@localhost>',
    `Installed-Size: ${f.installedKiB}`,
    // The native modules inside were built for one Node.js major version (its ABI).
    `Depends: nodejs (>= ${f.nodeMajor}), nodejs (<< ${f.nodeMajor + 1}), adduser`,
    'Section: net',
    'Priority: optional',
    'Description: faultline edge agent: devices that report their own faults',
    ' Reads Modbus registers (TCP, RTU over TCP, RTU on a serial port), the host\'s health and',
    ' log files, detects faults and publishes them over MQTT to a faultline collector, which',
    ' opens tickets. Events wait in an on-disk outbox until the broker has them.',
    ' Runs as the faultline-agent service; config in /etc/faultline/agent.yaml.',
    '',
  ].join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Lays out the .deb's tree in `debRoot`: the program from `app`, the unit, the config (a conffile), the maintainer scripts. */
export function layOutDeb(app: string, files: string, debRoot: string, control: Omit<ControlFields, 'installedKiB'>): void {
  const lib = join(debRoot, 'usr', 'lib', 'faultline-agent');
  cpSync(app, lib, { recursive: true });
  mkdirSync(join(debRoot, 'usr', 'bin'), { recursive: true });
  symlinkSync('../lib/faultline-agent/bin/faultline-agent', join(debRoot, 'usr', 'bin', 'faultline-agent'));
  mkdirSync(join(debRoot, 'lib', 'systemd', 'system'), { recursive: true });
  copyFileSync(join(files, 'faultline-agent.service'), join(debRoot, 'lib', 'systemd', 'system', 'faultline-agent.service'));
  mkdirSync(join(debRoot, 'etc', 'faultline'), { recursive: true });
  copyFileSync(join(files, 'agent.yaml'), join(debRoot, 'etc', 'faultline', 'agent.yaml'));

  const payload = filesUnder(debRoot);
  const installedKiB = Math.ceil(payload.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  const meta = join(debRoot, 'DEBIAN');
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'control'), controlFile({ ...control, installedKiB }));
  writeFileSync(join(meta, 'conffiles'), '/etc/faultline/agent.yaml\n');
  writeFileSync(join(meta, 'md5sums'), payload.sort().map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(debRoot, f)}`).join('\n') + '\n');
  for (const script of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(files, 'debian', script), join(meta, script));
    chmodSync(join(meta, script), 0o755);
  }
}
