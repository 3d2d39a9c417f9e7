/** What a user name and a password must be (the store, the API schemas and the CLI all apply these). */
import { FaultlineError } from '../../../protocol/errors.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

/** Lower-cased username, or a typed error naming the rule. */
export function normalizeUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username)) {
    throw new FaultlineError('FL_ERR_USER_INVALID', `"${username.slice(0, 80)}" is not a valid username`, {
      hint: 'use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    });
  }
  return username.toLowerCase();
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    // Never echo the password itself.
    throw new FaultlineError('FL_ERR_USER_INVALID', `a password must have ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`, {
      hint: 'choose a longer password, or let `faultline user add` generate one',
    });
  }
}
