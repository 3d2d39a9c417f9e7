/** A modal dialog on the native <dialog> element: focus stays inside, Esc closes, the title labels it. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

let counter = 0;

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dlg-${++counter}`);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    const onCancel = (e: Event): void => { e.preventDefault(); props.onClose(); };
    d?.addEventListener('cancel', onCancel);
    return () => { d?.removeEventListener('cancel', onCancel); if (d?.open) d.close(); };
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={id.current}>
      <div class="dialog-head">
        <h2 id={id.current}>{props.title}</h2>
        <button type="button" class="icon" onClick={props.onClose} aria-label={t('common.close')}>✕</button>
      </div>
      {props.children}
    </dialog>
  );
}
