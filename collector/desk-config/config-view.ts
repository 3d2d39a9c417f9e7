/** What GET /api/config shows: the settings in use with every secret and URL credential redacted. */
import type { DeskConfig } from './desk-config-schema.js';
import type { DeskSettings } from './desk-settings.js';

export const REDACTED = '[redacted]';

/** A URL without user info or query string (either may carry a token). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?[redacted]' : ''}`;
  } catch {
    return REDACTED;
  }
}

export interface ConfigView {
  source: string;
  loadedAtMs: number;
  config: DeskConfig;
}

export function configView(s: DeskSettings): ConfigView {
  return {
    source: s.source, loadedAtMs: s.loadedAtMs,
    config: { ...s.config, webhooks: s.config.webhooks.map((w) => ({ ...w, url: redactUrl(w.url), secret: REDACTED })) },
  };
}
