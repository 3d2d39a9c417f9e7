/**
 * The demo's login: user `demo` with role admin (so a newcomer can try everything), given a fresh
 * generated password on every demo start (created when missing, re-enabled and re-passworded
 * otherwise). The caller prints the password; it is not stored anywhere in clear.
 */
import { generatePassword } from '../security/password-hash.js';
import { silentLogger } from '../../protocol/logger.js';
import { openStore } from '../store/index.js';

export const DEMO_USERNAME = 'demo';

export async function ensureDemoUser(dataDir: string, nowMs: number): Promise<{ username: string; password: string }> {
  const store = await openStore({ dataDir, nowMs, log: silentLogger() });
  try {
    const { users } = store;
    const password = generatePassword();
    if (await users.byName(DEMO_USERNAME)) {
      await users.update(DEMO_USERNAME, { password, role: 'admin', disabled: false }, nowMs);
    } else {
      await users.create({ username: DEMO_USERNAME, displayName: 'Demo', role: 'admin', password }, nowMs);
    }
    return { username: DEMO_USERNAME, password };
  } finally {
    await store.close();
  }
}
