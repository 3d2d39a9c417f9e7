/** What the desk tells the outside: notification decisions, webhook delivery/retry rules and e-mail paging. */
export * from './notifications.js';
export * from './webhook-delivery.js';
export * from './paging.js';
