/** The collector's HTTP API. */
export { buildApi, type ApiOptions } from './app.js';
export { apiError, errorBody, installErrorHandlers } from './api-errors.js';
export type { HealthSources } from './health-route.js';
export * from './schemas.js';
export * from './ticket-schemas.js';
export * from './alarm-schemas.js';
export { actorOf } from './actor.js';
export * from './auth-schemas.js';
export { ROUTE_ROLES, policyFor, type RoutePolicy } from './route-roles.js';
export { OpenApiDocument } from './openapi.js';
