/**
 * A ticket's priority reason in the UI language. The collector composes it in English
 * (collector/core/priority/priority-matrix.ts: "P2: major severity on a criticality-B asset,
 * raised from P3: 3 devices affected", or "P1: set by emil (computed P3): …"); its parts are
 * recognised here and put together from the dictionary. Text that does not match is shown as is.
 */
import { t, tx } from './i18n';

const COMPUTED = /^(P[1-4]): (critical|major|minor|warning|info) severity on a criticality-([ABC]) asset(?:(; |, raised from (P[1-4]): )(production stopped|(\d+) devices affected))?$/;
const OVERRIDE = /^(P[1-4]): set by (.+?) \(computed (P[1-4])\): ([\s\S]*)$/;

export function priorityReasonText(reason: string): string {
  const o = OVERRIDE.exec(reason);
  if (o) return `${o[1]}: ${t('priorityReason.override', { by: o[2] ?? '', computed: o[3] ?? '', why: o[4] ?? '' })}`;
  const m = COMPUTED.exec(reason);
  if (!m) return reason;
  let text = `${m[1]}: ${t('priorityReason.basis', { severity: tx('severity', m[2] ?? ''), crit: m[3] ?? '' })}`;
  if (m[4]) {
    const why = m[6] === 'production stopped' ? t('priorityReason.stopped') : t('priorityReason.devices', { n: m[7] ?? '' });
    text += m[5] ? t('priorityReason.raised', { from: m[5], why }) : t('priorityReason.also', { why });
  }
  return text;
}
