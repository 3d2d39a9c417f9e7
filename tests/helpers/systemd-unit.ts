/** For the service unit tests: a unit file's settings, and what `systemd-analyze verify` and `security` say of it. */
import { spawnSync } from 'node:child_process';

/** Every `Key=value` of a unit file by "Section.Key", in order (a key may repeat). */
export function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) { section = header[1]!; continue; }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = `${section}.${line.slice(0, eq).trim()}`;
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return settings;
}

export function systemdVersion(): number {
  const out = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (out.error) throw new Error(`systemd-analyze is not installed (apt-get install systemd): ${out.error.message}`);
  return Number(/systemd (\d+)/.exec(out.stdout)?.[1] ?? 0);
}

/**
 * `systemd-analyze verify FILE`: its exit code and every complaint it printed. It exits 0 even for
 * a setting it cannot parse (it says "ignoring"), so the complaints are what a test must check.
 * Settings newer than this systemd (RestartSteps, RestartMaxDelaySec: 254) are not complaints
 * on an older one; they are listed in `tolerated`.
 */
export function verifyUnit(file: string): { code: number; problems: string[]; tolerated: string[] } {
  const out = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  if (out.error) throw new Error(`systemd-analyze is not installed (apt-get install systemd): ${out.error.message}`);
  const lines = `${out.stdout}\n${out.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const newer = systemdVersion() < 254 ? /Unknown key '?(RestartSteps|RestartMaxDelaySec)'? in section '?\[?Service\]?'?, ignoring/ : /^$/;
  return { code: out.status ?? 1, problems: lines.filter((l) => !newer.test(l)), tolerated: lines.filter((l) => newer.test(l)) };
}

/** `systemd-analyze security --offline=yes FILE`: the overall exposure, 0 (locked down) to 10 (unsafe). */
export function exposure(file: string): number {
  const out = spawnSync('systemd-analyze', ['security', '--offline=yes', file], { encoding: 'utf8' });
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(`${out.stdout}${out.stderr}`);
  if (!m) throw new Error(`systemd-analyze security printed no exposure level: ${out.stdout}${out.stderr}`);
  return Number(m[1]);
}
