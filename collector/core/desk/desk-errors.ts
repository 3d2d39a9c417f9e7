/**
 * The service desk's error catalogue: every rule that refuses an action throws a FaultlineError
 * with one of these stable codes, a context (which alarm, ticket, key) and a hint (what to do).
 */
import { FaultlineError } from '../../../protocol/errors.js';

export const DESK_ERROR_CODES = {
  alarmInvalidTransition: 'FL_ERR_ALARM_INVALID_TRANSITION',
  alarmShelveDuration: 'FL_ERR_ALARM_SHELVE_DURATION',
  alarmReasonRequired: 'FL_ERR_ALARM_REASON_REQUIRED',
  timeZoneUnknown: 'FL_ERR_TIME_ZONE_UNKNOWN',
  timeFormat: 'FL_ERR_TIME_FORMAT',
  calendarInvalid: 'FL_ERR_SLA_CALENDAR_INVALID',
  calendarUnknown: 'FL_ERR_SLA_CALENDAR_UNKNOWN',
  calendarNoTime: 'FL_ERR_SLA_CALENDAR_NO_TIME',
  clockState: 'FL_ERR_SLA_CLOCK_STATE',
  policyInvalid: 'FL_ERR_SLA_POLICY_INVALID',
  priorityOverride: 'FL_ERR_PRIORITY_OVERRIDE_INVALID',
  ticketInvalidTransition: 'FL_ERR_TICKET_INVALID_TRANSITION',
  ticketResolutionRequired: 'FL_ERR_TICKET_RESOLUTION_REQUIRED',
  ticketFaultActive: 'FL_ERR_TICKET_FAULT_ACTIVE',
  ticketFieldRequired: 'FL_ERR_TICKET_FIELD_REQUIRED',
  ticketRatingInvalid: 'FL_ERR_TICKET_RATING_INVALID',
  routingInvalid: 'FL_ERR_ROUTING_INVALID',
  rotationInvalid: 'FL_ERR_ONCALL_ROTATION_INVALID',
  escalationTopTier: 'FL_ERR_ESCALATION_TOP_TIER',
  escalationUnknownTeam: 'FL_ERR_ESCALATION_UNKNOWN_TEAM',
} as const;

export type DeskErrorCode = (typeof DESK_ERROR_CODES)[keyof typeof DESK_ERROR_CODES];

export function deskError(code: DeskErrorCode, message: string, context: Record<string, unknown> = {}, hint?: string): FaultlineError {
  return new FaultlineError(code, message, hint === undefined ? { context } : { context, hint });
}

/** Non-blank text, or a typed error naming the field. */
export function requireText(value: string | undefined, field: string, code: DeskErrorCode, context: Record<string, unknown> = {}): string {
  const text = (value ?? '').trim();
  if (text === '') throw deskError(code, `${field} is required`, { ...context, field }, `give a non-empty ${field}`);
  return text;
}
