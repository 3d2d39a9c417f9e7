/** The collector's service-desk config: schema, loader, compiled settings, the reloadable holder. */
export { DeskConfigSchema, type DeskConfig } from './desk-config-schema.js';
export { compileDeskConfig, DEFAULTS_SOURCE, type DeskSettings, type WebhookTarget } from './desk-settings.js';
export { checkDeskConfig, defaultDeskSettings, loadDeskConfig, parseDeskConfig } from './load-desk-config.js';
export { DeskConfigHolder, type ConfigHolderOptions } from './config-holder.js';
export { configView, redactUrl, REDACTED, type ConfigView } from './config-view.js';
