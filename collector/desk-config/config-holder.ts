/**
 * The current desk settings, swapped whole on reload (SIGHUP or POST /api/admin/reload-config).
 * A file that does not load is rejected with its problems and the settings in use stay.
 */
import type { Logger } from '../../protocol/logger.js';
import { FaultlineError } from '../../protocol/errors.js';
import { defaultDeskSettings, loadDeskConfig } from './load-desk-config.js';
import type { DeskSettings } from './desk-settings.js';

export interface ConfigHolderOptions {
  /** The YAML file; without one the built-in defaults are used and reload is refused. */
  file?: string;
  log: Logger;
  now: () => number;
}

export class DeskConfigHolder {
  private settings: DeskSettings;
  private readonly listeners: Array<(s: DeskSettings) => void> = [];

  /** Loads the file now; throws FL_ERR_CONFIG_* when it does not load (the collector does not start). */
  constructor(private readonly opts: ConfigHolderOptions) {
    this.settings = opts.file === undefined ? defaultDeskSettings(opts.now()) : loadDeskConfig(opts.file, opts.now());
  }

  current(): DeskSettings {
    return this.settings;
  }

  get file(): string | undefined {
    return this.opts.file;
  }

  /** Called with the new settings after every successful reload. */
  onChange(listener: (s: DeskSettings) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Re-reads the file. Throws (keeping the settings in use) when there is no file, it has problems,
   * or `accept` (checks against the running state) throws.
   */
  reload(accept: (next: DeskSettings) => void = () => undefined): DeskSettings {
    const { file, log } = this.opts;
    if (file === undefined) {
      throw new FaultlineError('FL_ERR_CONFIG_NO_FILE', 'the collector runs on built-in defaults; there is no config file to reload', {
        hint: 'start the collector with --config FILE',
      });
    }
    let next: DeskSettings;
    try {
      next = loadDeskConfig(file, this.opts.now());
      accept(next);
    } catch (err) {
      log.warn({ file, code: err instanceof FaultlineError ? err.code : undefined }, 'config reload rejected; the previous config stays in use');
      throw err;
    }
    this.settings = next;
    log.info({ file, teams: Object.keys(next.teams).length, rules: next.routing.rules.length, webhooks: next.webhooks.length }, 'desk config reloaded');
    for (const l of this.listeners) l(next);
    return next;
  }
}
