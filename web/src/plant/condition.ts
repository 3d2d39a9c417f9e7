/** The device condition the plant overview shows (pure, shared with the server: collector/core/devices/device-condition.ts). */
export { ALARMING, alarmPriorityOf, CONDITIONS, conditionRank, deviceCondition, type Condition } from '../../../collector/core/devices/device-condition.js';
