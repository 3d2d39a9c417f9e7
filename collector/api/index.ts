/** The collector's HTTP API. */
export { buildApi, type ApiOptions } from './app.js';
export { API_ERRORS, type ApiErrorCode } from './api-errors.js';
export type { HealthSources } from './health-route.js';
export * from './schemas.js';
export * from './ticket-schemas.js';
export * from './alarm-schemas.js';
export { ACTOR_HEADER, DEFAULT_ACTOR_ID } from './actor.js';
export { OpenApiDocument } from './openapi.js';
