/** An alarm's priority on the dashboard: its working ticket's, else the one its severity maps to. */
import type { Alarm, Priority } from './types';
// The one priority table, shared with the collector's core (pure: no I/O, type imports only).
import { severityPriority } from '../../collector/core/priority/priority.js';

export const alarmPriority = (a: Alarm): Priority => a.ticket?.priority ?? severityPriority(a.severity);
