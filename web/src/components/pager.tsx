/**
 * Paging a list the server pages by cursor (a `total` and a `nextCursor` per page): the page shown,
 * the cursors of the pages before it (so Previous goes back exactly), and the pager under the list
 * ("21–40 of 57", Previous, Next), as the ticket table has it.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { errorText } from '../session';

export interface CursorPage { total: number; nextCursor: string | null }

export interface CursorPages<P extends CursorPage> {
  page: P | null;
  error: string;
  /** The number of the first row shown (1-based). */
  first: number;
  /** Cursors of the pages before this one (the first page has none). */
  back: number;
  previous(): void;
  next(): void;
  /** Reads the page shown again (after a change). */
  reload(): void;
}

/** Pages of `path` (its own query, without limit and cursor), `size` rows each; a new path starts at the first page. */
export function useCursorPages<P extends CursorPage>(path: string, size: number): CursorPages<P> {
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<P | null>(null);
  const [error, setError] = useState('');
  const [reloads, setReloads] = useState(0);
  useEffect(() => { setCursors([]); }, [path, size]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let alive = true;
    const sep = path.includes('?') ? '&' : '?';
    api.get<P>(`${path}${sep}limit=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .then((p) => { if (alive) { setPage(p); setError(''); } })
      .catch((e: unknown) => { if (alive) setError(errorText(e)); });
    return () => { alive = false; };
  }, [path, size, cursor, reloads]);
  return {
    page, error, first: cursors.length * size + 1, back: cursors.length,
    previous: () => setCursors((c) => c.slice(0, -1)),
    next: () => { const n = page?.nextCursor; if (n) setCursors((c) => [...c, n]); },
    reload: () => setReloads((n) => n + 1),
  };
}

/** "from–to of total" with Previous and Next, under a paged list; `shown` rows are on this page. */
export function Pager(props: { pages: CursorPages<CursorPage>; shown: number; testId: string }) {
  const { page, first, back } = props.pages;
  if (!page) return null;
  return (
    <div class="toolbar pager" data-testid={props.testId}>
      <span class="muted" role="status" data-testid={`${props.testId}-range`}>
        {page.total === 0 ? '' : t('ticketTable.range', { from: first, to: first + props.shown - 1, total: page.total })}
      </span>
      <button type="button" disabled={back === 0} onClick={props.pages.previous}>{t('ticketTable.previous')}</button>
      <button type="button" data-testid={`${props.testId}-next`} disabled={page.nextCursor === null} onClick={props.pages.next}>{t('ticketTable.next')}</button>
    </div>
  );
}
