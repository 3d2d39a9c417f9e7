/** What the desk tells the outside: notification decisions and webhook delivery/retry rules. */
export * from './notifications.js';
export * from './webhook-delivery.js';
