/** Admin: webhook deliveries that failed for good, each with its last error, sent again with one click. */
import { useEffect, useState } from 'preact/hooks';
import type { DeliveryJson as Delivery } from '../../../collector/api/webhook-schemas.js';
import { api } from '../api';
import { fmtDateTime } from '../format';
import { t } from '../i18n';
import { errorText, toast, toastError } from '../session';

export function FailedDeliveries() {
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState('');
  const load = (): void => {
    api.get<{ deliveries: Delivery[] }>('/api/webhooks/deliveries?status=failed&limit=100').then((r) => setDeliveries(r.deliveries)).catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(load, []);
  const resend = async (d: Delivery): Promise<void> => {
    try { await api.post(`/api/webhooks/deliveries/${d.id}/resend`); toast('ok', t('admin.webhooks.resent', { id: d.deliveryId })); load(); } catch (err) { toastError(err); }
  };
  return (
    <section class="card" aria-labelledby="adm-webhooks" data-testid="failed-deliveries">
      <h2 id="adm-webhooks">{t('admin.webhooks.title')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {deliveries && (deliveries.length === 0 ? <p class="muted">{t('admin.webhooks.none')}</p> : (
        <div class="table-wrap">
          <table class="plain">
            <thead><tr>
              <th scope="col">{t('admin.webhooks.webhook')}</th><th scope="col">{t('admin.webhooks.event')}</th><th scope="col">{t('admin.created')}</th>
              <th scope="col">{t('admin.webhooks.attempts')}</th><th scope="col">{t('admin.webhooks.lastError')}</th><th scope="col"><span class="sr">{t('admin.webhooks.resend')}</span></th>
            </tr></thead>
            <tbody>{deliveries.map((d) => (
              <tr key={d.id}>
                <td class="mono">{d.webhookId}</td><td>{d.event}</td><td>{fmtDateTime(d.createdMs)}</td><td>{d.attempts.length}</td><td>{d.lastError ?? '—'}</td>
                <td><button type="button" class="small" onClick={() => void resend(d)}>{t('admin.webhooks.resend')}</button></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
