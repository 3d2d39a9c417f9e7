/**
 * The demo's login: user `demo` with role admin (so a newcomer can try everything), given a fresh
 * generated password on every demo start (created when missing, re-enabled and re-passworded
 * otherwise). The caller prints the password; it is not stored anywhere in clear.
 */
import { generatePassword } from '../security/password-hash.js';
import { openCollectorDatabase } from '../security/open-database.js';
import { UserDirectory } from './user-directory.js';

export const DEMO_USERNAME = 'demo';

export async function ensureDemoUser(dataDir: string, nowMs: number): Promise<{ username: string; password: string }> {
  const db = openCollectorDatabase(dataDir, nowMs);
  try {
    const { users } = new UserDirectory(db);
    const password = generatePassword();
    if (users.byName(DEMO_USERNAME)) {
      await users.update(DEMO_USERNAME, { password, role: 'admin', disabled: false }, nowMs);
    } else {
      await users.create({ username: DEMO_USERNAME, displayName: 'Demo', role: 'admin', password }, nowMs);
    }
    return { username: DEMO_USERNAME, password };
  } finally {
    db.close();
  }
}
