/**
 * The API's JSON shapes as the dashboard reads them: the server's own TypeBox types (`Static<…>`),
 * imported type-only so the bundler erases them (nothing from the server reaches the bundle) and a
 * schema change breaks the web build instead of drifting silently. Times are epoch ms.
 * The value lists (ROLES, PRIORITIES…) are restated for the UI, checked against the server's types.
 */
import type { StoredAuditRecord } from '../../collector/store/port.js';
import type { AlarmJson, BulkAlarmJson, FloodListJson } from '../../collector/api/alarm-schemas.js';
import type { AuthSessionJson, SessionUserJson, UserJson as ServerUserJson } from '../../collector/api/auth-schemas.js';
import type { CatalogueEntryJson, CredentialJson, DeviceDetailJson, IssuedDeviceJson, LiveJson, LiveValueJson, WriteJson } from '../../collector/api/device-schemas.js';
import type { DeviceListJson } from '../../collector/api/schemas.js';
import type { ClockJson, TicketDetailJson, TicketSummaryJson } from '../../collector/api/ticket-schemas.js';
import type { ConfigView } from '../../collector/desk-config/config-view.js';
import type { KbSuggestionsJson } from '../../collector/api/kb-schemas.js';
import type { ServiceReportJson } from '../../collector/api/report-schemas.js';

/** Compile-time checks that a restated value list names every member of the server's union. */
type Assert<T extends true> = T;
type Covers<List extends readonly string[], Union extends string> = [Exclude<Union, List[number]>] extends [never] ? true : false;

export type SessionUser = SessionUserJson;
export type AuthSession = AuthSessionJson;
export type Role = SessionUser['role'];
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const satisfies readonly Role[];
export type Priority = TicketSummary['priority'];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const satisfies readonly Priority[];
export type TicketStatus = TicketSummary['status'];
export const TICKET_STATUSES = ['new', 'acknowledged', 'in-progress', 'waiting-on-customer', 'resolved', 'closed'] as const satisfies readonly TicketStatus[];
export type Severity = Alarm['severity'];
export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const satisfies readonly Severity[];
export type AlarmState = Alarm['state'];
// Fails to compile when the server adds a member a list above lacks (`satisfies` catches one it no longer has).
export type ValueListsComplete = Assert<Covers<typeof ROLES, Role>> | Assert<Covers<typeof PRIORITIES, Priority>>
  | Assert<Covers<typeof TICKET_STATUSES, TicketStatus>> | Assert<Covers<typeof SEVERITIES, Severity>>;

export type Alarm = AlarmJson;
export type Mark = NonNullable<Alarm['outOfService']>;
export type FloodEpisode = FloodListJson['episodes'][number];
export type BulkAlarmResult = BulkAlarmJson;

export type Clock = ClockJson;
export type TicketSummary = TicketSummaryJson;
export type TicketDetail = TicketDetailJson;
export type Comment = TicketDetail['comments'][number];
export type Actor = Comment['author'];
export type Sample = TicketDetail['snapshot'][number];
export type EventJson = TicketDetail['events'][number];
/** GET /api/audit record (the route's AuditJson serialises exactly the stored record). */
export type AuditRecord = StoredAuditRecord;
export type KbSuggestions = KbSuggestionsJson;
export type KbEntry = KbSuggestions['suggestions'][number]['entry'];

export type CatalogueEntry = CatalogueEntryJson;
export type DeviceSummary = DeviceListJson['devices'][number];
export type DeviceDetail = DeviceDetailJson;
export type LiveValue = LiveValueJson;
export type LiveResult = LiveJson;
export type WriteResult = WriteJson;
export type IssuedDevice = IssuedDeviceJson;
export type Credential = CredentialJson;

export type UserJson = ServerUserJson;

export type ServiceReport = ServiceReportJson;
/** GET /api/config: the desk config in use, secrets redacted. */
export type DeskConfigView = ConfigView;
