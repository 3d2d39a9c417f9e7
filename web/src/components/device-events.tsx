/** A device's stored fault events on its page, newest received first, page by page (GET /api/events). */
import type { EventListJson } from '../../../collector/api/event-schemas.js';
import { qs } from '../api';
import { fmtDateTime } from '../format';
import { t, tx } from '../i18n';
import { Pager, useCursorPages } from './pager';

const PAGE = 20;

export function DeviceEvents(props: { site: string; device: string }) {
  const pages = useCursorPages<EventListJson>(`/api/events${qs({ site: props.site, device: props.device })}`, PAGE);
  const events = pages.page?.events ?? [];
  return (
    <section class="card" aria-labelledby="dev-events" data-testid="device-events">
      <h2 id="dev-events">{t('device.events')}</h2>
      {pages.error && <p class="error" role="alert">{pages.error}</p>}
      {pages.page && (events.length === 0 ? <p class="muted">{t('device.eventsNone')}</p> : (
        <div class="table-wrap">
          <table class="plain">
            <thead><tr>
              <th scope="col">{t('device.eventReceived')}</th><th scope="col">{t('device.eventCode')}</th>
              <th scope="col">{t('device.eventTransition')}</th><th scope="col">{t('device.eventSeverity')}</th><th scope="col">{t('device.eventMessage')}</th>
            </tr></thead>
            <tbody>{events.map((e) => (
              <tr key={e.id} data-event-id={e.id}>
                <td>{fmtDateTime(e.receivedMs)}</td><td class="mono">{e.code}</td><td>{e.transition}</td>
                <td>{tx('severity', e.severity)}</td>
                <td>{e.ticketId !== null ? <a href={`/tickets/${e.ticketId}`}>{e.message}</a> : e.message}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
      <Pager pages={pages} shown={events.length} testId="events-pager" />
    </section>
  );
}
