/** The service desk at the edge: ingest, actions, scheduler, webhooks. */
export { DeskService, type DeskServiceOptions, type DeskCounters } from './desk-service.js';
export { DeskScheduler } from './desk-scheduler.js';
export { WebhookSender, signBody } from './webhook-sender.js';
export { ALARM_ACTIONS, type AlarmAction, type AlarmActionName, type BulkAlarmResult } from './alarm-actions.js';
export { DESK_EDGE_ERRORS, type TicketAction } from './ticket-actions.js';
export { PRODUCTION_LABEL } from './ticket-opening.js';
