/** Who may do what: roles, session expiry, login throttling, cookies. */
export * from './cookies.js';
export * from './login-throttle.js';
export * from './roles.js';
export * from './session-expiry.js';
export * from './user-names.js';
