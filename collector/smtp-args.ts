/**
 * The collector's SMTP flags (e-mail pages, desk/mail-pager.ts). The password comes from a file or
 * FAULTLINE_SMTP_PASSWORD, never from the command line (it would show in `ps`); the key that signs
 * acknowledge links from --page-link-key-file, FAULTLINE_PAGE_LINK_KEY, or a key file the collector
 * creates once in the data directory (page-link.key, mode 0600) so links survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../protocol/errors.js';
import { readFileOrUsage } from './broker/broker-args.js';
import type { SmtpSettings } from './desk/mail-pager.js';

export const SMTP_PASSWORD_ENV = 'FAULTLINE_SMTP_PASSWORD';
export const PAGE_LINK_KEY_ENV = 'FAULTLINE_PAGE_LINK_KEY';
const TLS_MODES = ['tls', 'starttls', 'none'] as const;
const MIN_KEY = 24;

export const SMTP_OPTIONS = {
  'smtp-host': { type: 'string' }, 'smtp-port': { type: 'string' }, 'smtp-tls': { type: 'string' }, 'smtp-user': { type: 'string' },
  'smtp-password-file': { type: 'string' }, 'smtp-from': { type: 'string' }, 'public-url': { type: 'string' }, 'page-link-key-file': { type: 'string' },
} as const;

export const SMTP_USAGE = `  --smtp-host HOST   send e-mail pages (new P1/P2 tickets, escalations, SLA warnings) through
                     this SMTP server; off without it
  --smtp-port PORT   its port (default 587; 465 with --smtp-tls tls)
  --smtp-tls MODE    starttls (default), tls (TLS from the start) or none (a relay on loopback)
  --smtp-user NAME   log in as NAME; the password from --smtp-password-file FILE or ${SMTP_PASSWORD_ENV}
  --smtp-from ADDR   the sender address (default faultline@localhost)
  --public-url URL   the dashboard's address as people reach it, for links in mails
                     (default http://<http-host>:<http-port>)
  --page-link-key-file FILE  the key that signs acknowledge links (or ${PAGE_LINK_KEY_ENV});
                     default: page-link.key in the data directory, created once
`;

type SmtpValues = { [K in keyof typeof SMTP_OPTIONS]?: string | undefined };

function linkKey(v: SmtpValues, env: NodeJS.ProcessEnv, dataDir: string): string {
  const file = v['page-link-key-file'];
  const given = file !== undefined ? readFileOrUsage('page-link-key-file', file).trim() : env[PAGE_LINK_KEY_ENV] || undefined;
  if (given !== undefined) {
    if (given.length < MIN_KEY) throw new UsageError(`the acknowledge link key must have at least ${MIN_KEY} characters (e.g. openssl rand -base64 32)`);
    return given;
  }
  const path = join(dataDir, 'page-link.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/** The SMTP settings, or undefined without --smtp-host. */
export function smtpSettingsFromArgs(v: SmtpValues, env: NodeJS.ProcessEnv, defaults: { dataDir: string; publicUrl: string }): SmtpSettings | undefined {
  const host = v['smtp-host'];
  if (host === undefined) {
    const stray = (Object.keys(SMTP_OPTIONS) as Array<keyof SmtpValues>).filter((k) => v[k] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} need --smtp-host`);
    return undefined;
  }
  const tls = v['smtp-tls'] ?? 'starttls';
  if (!(TLS_MODES as readonly string[]).includes(tls)) throw new UsageError(`--smtp-tls must be one of ${TLS_MODES.join(', ')}, got "${tls}"`);
  const portText = v['smtp-port'];
  const port = portText === undefined ? (tls === 'tls' ? 465 : 587) : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port < 1 || port > 65535)) throw new UsageError(`--smtp-port must be a port number 1-65535, got "${portText}"`);
  const passwordFile = v['smtp-password-file'];
  const password = passwordFile !== undefined ? readFileOrUsage('smtp-password-file', passwordFile).trim() : env[SMTP_PASSWORD_ENV] || undefined;
  const publicUrl = v['public-url'] ?? defaults.publicUrl;
  if (!/^https?:\/\/[^\s]+$/.test(publicUrl)) throw new UsageError(`--public-url must be an http:// or https:// URL, got "${publicUrl}"`);
  return {
    host, port, tls: tls as SmtpSettings['tls'], ...(v['smtp-user'] ? { user: v['smtp-user'], password } : {}),
    from: v['smtp-from'] ?? 'faultline@localhost', publicUrl, linkSecret: linkKey(v, env, defaults.dataDir),
  };
}
