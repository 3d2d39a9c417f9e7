/**
 * The HTTP contract of users, sessions and API tokens (TypeBox). The dashboard codes against
 * exactly these shapes:
 *
 *   POST   /api/auth/login {username, password}      → 200 AuthSession + Set-Cookie fl_session (HttpOnly; SameSite=Strict; Path=/; Secure over https)
 *                                                      401 FL_ERR_AUTH_FAILED, 429 FL_ERR_AUTH_THROTTLED (Retry-After)
 *   POST   /api/auth/logout                          → 204, cookie and session gone
 *   GET    /api/auth/me                              → 200 AuthSession, 401 FL_ERR_AUTH_REQUIRED
 *   GET    /api/auth/tokens                          → TokenList (your own API tokens)
 *   POST   /api/auth/tokens {name}                   → 201 TokenCreated (the token is shown only this once)
 *   DELETE /api/auth/tokens/:id                      → 204
 *   GET    /api/users                                → UserList                       (admin)
 *   POST   /api/users {username, displayName?, role, password} → 201 UserJson    (admin)
 *   PATCH  /api/users/:username {role?, displayName?, password?, disabled?} → UserJson (admin)
 *   DELETE /api/users/:username                      → 204                            (admin)
 *   GET    /api/users/:username/tokens               → TokenList                      (admin)
 *   POST   /api/users/:username/tokens {name}        → 201 TokenCreated               (admin)
 *   DELETE /api/users/:username/tokens/:id           → 204                            (admin)
 *
 * Every unsafe request (POST/PUT/PATCH/DELETE) authenticated by the session cookie carries the
 * header `X-CSRF-Token: <csrfToken>` (else 403 FL_ERR_CSRF); `Authorization: Bearer <token>`
 * requests are exempt. Errors are the API's usual `{error: {code, message, hint?}}`; a 403
 * FL_ERR_FORBIDDEN also says `requiredRole`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from '../core/access/roles.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from '../core/access/user-names.js';
import { literals, Nullable } from './schemas.js';

export const SESSION_COOKIE = 'fl_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Letters, digits and . _ @ -, starting with a letter or digit; stored and compared in lower case. */
export const Username = Type.String({ pattern: USERNAME_PATTERN.source, description: 'case-insensitive; stored in lower case' });
export const RoleJson = literals(ROLES);
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH });
export const DisplayName = Type.String({ minLength: 1, maxLength: 120 });
export const TokenName = Type.String({ minLength: 1, maxLength: 80 });

/** Who is signed in (also what GET /api/users lists, without the admin fields). */
export const SessionUserJson = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: RoleJson,
});
export type SessionUserJson = Static<typeof SessionUserJson>;

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const AuthSessionJson = Type.Object({
  user: SessionUserJson,
  /** Send it back as X-CSRF-Token on every POST/PUT/PATCH/DELETE; null when authenticated by an API token. */
  csrfToken: Nullable(Type.String()),
});
export type AuthSessionJson = Static<typeof AuthSessionJson>;

export const UserJson = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: RoleJson,
  disabled: Type.Boolean(),
  createdAtMs: Type.Number(),
  passwordChangedAtMs: Type.Number(),
  lastLoginAtMs: Nullable(Type.Number()),
});
export type UserJson = Static<typeof UserJson>;

export const UserListJson = Type.Object({
  users: Type.Array(UserJson),
  total: Type.Integer({ description: 'how many users there are' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page; null on the last page' }),
});
export const UserListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 5000, default: 5000 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600, description: 'the `nextCursor` of the previous page' })),
}, { additionalProperties: false });
export type UserListQuery = Static<typeof UserListQuery>;
export type UserListJson = Static<typeof UserListJson>;

export const CreateUserBody = Type.Object({
  username: Username,
  displayName: Type.Optional(DisplayName),
  role: RoleJson,
  password: Password,
}, { additionalProperties: false });
export type CreateUserBody = Static<typeof CreateUserBody>;

/** Changing the password or disabling the user ends every session of theirs. */
export const UpdateUserBody = Type.Object({
  role: Type.Optional(RoleJson),
  displayName: Type.Optional(DisplayName),
  password: Type.Optional(Password),
  disabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const UserParams = Type.Object({ username: Username });
export type UserParams = Static<typeof UserParams>;

export const TokenJson = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  createdAtMs: Type.Number(),
  lastUsedAtMs: Nullable(Type.Number()),
});
export type TokenJson = Static<typeof TokenJson>;

export const TokenListJson = Type.Object({ tokens: Type.Array(TokenJson) });
export type TokenListJson = Static<typeof TokenListJson>;

export const CreateTokenBody = Type.Object({ name: TokenName }, { additionalProperties: false });
export type CreateTokenBody = Static<typeof CreateTokenBody>;

/** `token` is shown only this once; use it as `Authorization: Bearer <token>`. */
export const TokenCreatedJson = Type.Object({
  token: Type.String(),
  tokenInfo: TokenJson,
});
export type TokenCreatedJson = Static<typeof TokenCreatedJson>;

export const TokenParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });
export type TokenParams = Static<typeof TokenParams>;
export const UserTokenParams = Type.Object({ username: Username, id: Type.String({ pattern: '^[0-9]{1,15}$' }) });
export type UserTokenParams = Static<typeof UserTokenParams>;

/** The error body of a refused request: 401 / 403 / 429 (FL_ERR_AUTH_* , FL_ERR_CSRF, FL_ERR_FORBIDDEN). */
export const AuthErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
    /** With FL_ERR_FORBIDDEN: the lowest role that may do this. */
    requiredRole: Type.Optional(RoleJson),
    /** With FL_ERR_AUTH_THROTTLED: seconds until another try (also the Retry-After header). */
    retryAfterS: Type.Optional(Type.Integer()),
  }),
});
export type AuthErrorBody = Static<typeof AuthErrorBody>;
