/** The plant overview's JSON shapes (the server's TypeBox types, type-only: nothing reaches the bundle). */
import type { LatestJson, PlantAlarmJson, PlantDeviceJson, PlantJson, TrendJson } from '../../../collector/api/plant-schemas.js';

export type Plant = PlantJson;
export type PlantDevice = PlantDeviceJson;
export type PlantAlarm = PlantAlarmJson;
export type PlantValue = PlantDeviceJson['values'][number];
export type Latest = LatestJson;
export type Trend = TrendJson;

/** A `values` event of the live stream: a device's newest samples (no unit: the page knows the catalogue). */
export interface ValuesEvent {
  site: string;
  device: string;
  values: Array<Omit<PlantValue, 'unit'>>;
}

/** A `presence` event: a device went online or offline. */
export interface PresenceEvent {
  site: string;
  device: string;
  online: boolean;
  lastSeenMs: number;
}
