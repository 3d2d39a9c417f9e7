/** Saved views of the ticket table, kept on the server per user: apply one, save the current filter and sort under a name, delete one. */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api';
import { t } from '../i18n';
import { toast, toastError } from '../session';

export interface TableFilter {
  scope: 'current' | 'open' | 'done' | 'all';
  status: string;
  priority: string;
  team: string;
  assignee: string;
  site: string;
  device: string;
  sort: 'opened' | 'priority' | 'status' | 'team' | 'assignee' | 'site' | 'device' | 'number' | 'sla';
  dir: 'asc' | 'desc';
}

interface SavedView { name: string; settings: Partial<TableFilter> }

export function SavedViews(props: { current: TableFilter; onApply: (f: Partial<TableFilter>) => void }) {
  const [views, setViews] = useState<SavedView[]>([]);
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  const load = (): void => { api.get<{ views: SavedView[] }>('/api/ticket-views').then((r) => setViews(r.views)).catch(() => setViews([])); };
  useEffect(load, []);
  const save = async (): Promise<void> => {
    const n = name.trim();
    if (!n) return;
    try {
      await api.put(`/api/ticket-views/${enc(n)}`, { settings: props.current });
      toast('ok', t('ticketTable.viewSaved', { name: n }));
      setName('');
      setChosen(n);
      load();
    } catch (err) { toastError(err); }
  };
  const remove = async (): Promise<void> => {
    if (!chosen) return;
    try {
      await api.del(`/api/ticket-views/${enc(chosen)}`);
      setChosen('');
      load();
    } catch (err) { toastError(err); }
  };
  return (
    <span class="saved-views">
      <label for="tt-view">{t('ticketTable.view')}</label>
      <select id="tt-view" value={chosen} onChange={(e) => {
        const n = (e.target as HTMLSelectElement).value;
        setChosen(n);
        const v = views.find((x) => x.name === n);
        if (v) props.onApply(v.settings);
      }}>
        <option value="">—</option>
        {views.map((v) => <option key={v.name} value={v.name}>{v.name}</option>)}
      </select>
      {chosen && <button type="button" onClick={() => void remove()}>{t('ticketTable.deleteView')}</button>}
      <label class="sr" for="tt-view-name">{t('ticketTable.viewName')}</label>
      <input id="tt-view-name" size={12} placeholder={t('ticketTable.viewName')} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <button type="button" data-testid="save-view" disabled={!name.trim()} onClick={() => void save()}>{t('ticketTable.saveView')}</button>
    </span>
  );
}
