/** The collector's store: the port (everything the collector needs from its database) and the one way to open it. */
export * from './port.js';
export { openStore, type OpenStoreOptions } from './open-store.js';
export { lockDataDir, type DataDirHolder, type DataDirLock } from './sqlite/data-dir-lock.js';
export { backupDatabase, restoreDatabase, type BackupCheck } from './sqlite/backup.js';
