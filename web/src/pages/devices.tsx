/**
 * Devices: the registry, and one device with its status, birth info and parameter catalogue.
 * Engineers pull live parameters (a fresh read through the agent, with each value's timestamp, or
 * a clear error), fetch recent log lines, and write writable parameters after a confirmation.
 */
import { useEffect, useState } from 'preact/hooks';
import { allPages } from '../paging';
import { api, ApiError, enc } from '../api';
import { Dialog } from '../components/dialog';
import { fmtDateTime, fmtDuration, fmtNumber, fmtTime } from '../format';
import { t } from '../i18n';
import { toast, useCan, errorText } from '../session';
import type { CatalogueEntry, DeviceDetail, DeviceSummary, LiveResult, LiveValue, WriteResult } from '../types';
import { DeviceTrends } from '../components/device-trends';
import { DeviceEvents } from '../components/device-events';
import { LastValue, trendDefaults, useLatestValues } from '../components/last-value';
import { useServerNow } from '../server-clock';
import { qualityText } from '../quality';

export function DeviceList() {
  const [devices, setDevices] = useState<DeviceSummary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const load = (): void => { allPages<DeviceSummary>('/api/devices', 'devices', { maxPages: 20 }).then(setDevices).catch((e: Error) => setError(e.message)); };
    load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="page">
      <div class="page-head"><h1>{t('devices.title')}</h1></div>
      {error && <p class="error" role="alert">{error}</p>}
      {devices === null ? <p role="status">{t('common.loading')}</p> : (
        <div class="table-wrap">
          <table class="plain">
            <thead><tr>
              <th scope="col">{t('devices.device')}</th><th scope="col">{t('devices.site')}</th><th scope="col">{t('devices.status')}</th>
              <th scope="col">{t('devices.model')}</th><th scope="col">{t('devices.firmware')}</th><th scope="col">{t('devices.lastSeen')}</th>
            </tr></thead>
            <tbody>
              {devices.map((d) => (
                <tr key={`${d.site}/${d.device}`}>
                  <td><a href={`/devices/${enc(d.site)}/${enc(d.device)}`}>{d.device}</a></td>
                  <td>{d.site}</td>
                  <td><OnlineBadge online={d.online} /></td>
                  <td>{d.model}</td><td>{d.firmware}</td><td>{fmtDateTime(d.lastSeenMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {devices.length === 0 && <p class="empty">{t('devices.none')}</p>}
        </div>
      )}
    </div>
  );
}

function OnlineBadge(props: { online: boolean }) {
  return <span class={`badge ${props.online ? 'online' : 'offline'}`}>{props.online ? t('devices.online') : t('devices.offline')}</span>;
}

/** What a failed device request means, in words an engineer can act on. */
function rpcErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    const problems = Array.isArray(err.details.problems) ? ` ${(err.details.problems as string[]).join('; ')}` : '';
    switch (err.code) {
      case 'FL_ERR_RPC_OFFLINE': return t('device.errOffline');
      case 'FL_ERR_RPC_TIMEOUT': return t('device.errTimeout');
      case 'FL_ERR_RPC_UNKNOWN_PARAMETER': return t('device.errUnknown') + problems;
      case 'FL_ERR_RPC_NOT_WRITABLE': return t('device.errNotWritable') + problems;
      case 'FL_ERR_RPC_DEVICE_NOT_ANSWERING': return t('device.errNotAnswering');
      case 'FL_ERR_DEVICE_NO_WRITE_KEY': return t('device.errNoWriteKey');
      case 'FL_ERR_RPC_UNAUTHORIZED': return t('device.errUnauthorized');
      default: return `${errorText(err)}${problems}`;
    }
  }
  return errorText(err);
}

export function DevicePage(props: { site: string; device: string }) {
  const [d, setD] = useState<DeviceDetail | null>(null);
  const [error, setError] = useState('');
  const [live, setLive] = useState<LiveResult | null>(null);
  const [liveError, setLiveError] = useState('');
  const [pulling, setPulling] = useState(false);
  const [writing, setWriting] = useState<CatalogueEntry | null>(null);
  const [logs, setLogs] = useState<string[] | null>(null);
  const [logsError, setLogsError] = useState('');
  const canTalk = useCan('engineer');
  const path = `/api/devices/${enc(props.site)}/${enc(props.device)}`;
  const latest = useLatestValues(props.site, props.device);
  // One clock for the page's ages (the server's time), not one per value.
  const serverNow = useServerNow();

  const load = (): void => {
    api.get<DeviceDetail>(path).then((x) => { setD(x); setError(''); })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 404 ? t('device.notFound') : errorText(err)));
  };
  useEffect(() => {
    load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, [path]);

  const pull = async (): Promise<void> => {
    setPulling(true);
    setLiveError('');
    try {
      setLive(await api.post<LiveResult>(`${path}/live`, {}));
    } catch (err) {
      setLiveError(rpcErrorText(err));
    } finally {
      setPulling(false);
    }
  };

  const fetchLogs = async (): Promise<void> => {
    setLogsError('');
    try {
      setLogs((await api.post<{ lines: string[] }>(`${path}/logs`, { lines: 100 })).lines);
    } catch (err) {
      setLogsError(rpcErrorText(err));
    }
  };

  if (error) return <div class="page"><p class="error" role="alert">{error}</p><a href="/devices">{t('nav.devices')}</a></div>;
  if (!d) return <div class="page"><p role="status">{t('common.loading')}</p></div>;
  const values = new Map<string, LiveValue>((live?.values ?? []).map((v) => [v.name, v]));

  return (
    <div class="page device-page">
      <div class="page-head">
        <h1>{d.device} <span class="muted">{d.site}</span> <OnlineBadge online={d.online} /></h1>
        <p class="summary">{d.model} · {t('devices.firmware')} {d.firmware} · {d.adapterId} · {t('device.openAlarms', { n: d.openAlarms })}</p>
      </div>
      <div class="grid two">
        <section class="card" aria-labelledby="dev-birth">
          <h2 id="dev-birth">{t('device.birth')}</h2>
          {d.birth ? (
            <dl class="facts">
              <dt>{t('device.birthAt')}</dt><dd>{fmtDateTime(d.birth.atMs)}</dd>
              <dt>{t('devices.model')}</dt><dd>{d.birth.model}</dd>
              <dt>{t('devices.firmware')}</dt><dd>{d.birth.firmware}</dd>
              <dt>{t('device.adapter')}</dt><dd>{d.birth.adapterId}</dd>
              <dt>{t('device.agentVersion')}</dt><dd>{d.birth.agentVersion}</dd>
              <dt>{t('device.session')}</dt><dd class="mono">{d.birth.sessionId}</dd>
              <dt>{t('devices.lastSeen')}</dt><dd>{fmtDateTime(d.lastSeenMs)}</dd>
              {d.lastDeathMs && <><dt>{t('device.lastDeath')}</dt><dd>{fmtDateTime(d.lastDeathMs)} {d.lastDeathReason}</dd></>}
            </dl>
          ) : <p class="muted">{t('device.noBirth')}</p>}
        </section>
        <section class="card" aria-labelledby="dev-status">
          <h2 id="dev-status">{t('device.agentStatus')}</h2>
          {d.status ? (
            <dl class="facts">
              <dt>{t('device.statusAt')}</dt><dd>{fmtDateTime(d.status.timeMs)}</dd>
              <dt>{t('device.uptime')}</dt><dd>{fmtDuration((d.status.uptimeS ?? 0) * 1000)}</dd>
              <dt>{t('device.outbox')}</dt><dd>{d.status.outboxDepth}</dd>
              <dt>{t('device.pollErrors')}</dt><dd>{d.status.pollErrors}</dd>
              <dt>{t('device.eventsPublished')}</dt><dd>{d.status.eventsPublished}</dd>
              <dt>{t('device.connects')}</dt><dd>{d.status.connects ?? '—'}</dd>
              {d.status.polls !== undefined && <><dt>{t('device.polls')}</dt><dd data-testid="self-polls">{t('device.pollsDetail', { polls: d.status.polls, timeouts: d.status.pollTimeouts ?? 0, exceptions: d.status.pollExceptions ?? 0, link: d.status.pollLinkErrors ?? 0 })}</dd></>}
              {(d.status.outboxOldestAgeS ?? 0) > 0 && <><dt>{t('device.outboxOldest')}</dt><dd>{fmtDuration((d.status.outboxOldestAgeS ?? 0) * 1000)}</dd></>}
              {(d.status.logLinesClipped ?? 0) > 0 && <><dt>{t('device.logLinesClipped')}</dt><dd>{d.status.logLinesClipped}</dd></>}
              {(d.status.deadLetters ?? 0) > 0 && <><dt>{t('device.deadLetters')}</dt><dd class="error" data-testid="dead-letters" title={t('device.deadLettersHint')}>{d.status.deadLetters}</dd></>}
              {(d.status.rejected ?? 0) > 0 && <><dt>{t('device.rejected')}</dt><dd class="error" data-testid="rejected" title={t('device.rejectedHint')}>{t('device.rejectedDetail', { total: d.status.rejected, telemetry: d.status.rejectedTelemetry ?? 0, status: d.status.rejectedStatus ?? 0 })}</dd></>}
              {(d.status.unreceipted ?? 0) > 0 && <><dt>{t('device.unreceipted')}</dt><dd data-testid="unreceipted" title={t('device.unreceiptedHint')}>{t('device.unreceiptedDetail', { events: d.status.unreceipted ?? 0, resent: d.status.resentUnreceipted ?? 0 })}</dd></>}
            </dl>
          ) : <p class="muted">{t('device.noStatus')}</p>}
        </section>
      </div>
      <section class="card" aria-labelledby="dev-params">
        <div class="section-head">
          <h2 id="dev-params">{t('device.catalogue')}</h2>
          {canTalk && (
            <button type="button" class="primary" data-testid="pull-live" disabled={pulling} onClick={() => void pull()}>
              {pulling ? t('device.pulling') : t('device.pull')}
            </button>
          )}
        </div>
        <div aria-live="polite">
          {live && <p class="muted" data-testid="live-meta">{t('device.pulledAt', { time: fmtTime(live.answeredAtMs), ms: Math.max(0, live.answeredAtMs - live.requestedAtMs) })}</p>}
          {liveError && <p class="error" role="alert" data-testid="live-error">{liveError}</p>}
        </div>
        <div class="table-wrap">
          <table class="plain params-table">
            <thead><tr>
              <th scope="col">{t('device.param')}</th><th scope="col">{t('device.description')}</th><th scope="col">{t('device.unit')}</th>
              <th scope="col">{t('device.source')}</th><th scope="col">{t('device.lastValue')}</th>
              <th scope="col">{t('device.liveValue')}</th><th scope="col">{t('device.readAt')}</th>
              <th scope="col"><span class="sr">{t('device.write')}</span></th>
            </tr></thead>
            <tbody>
              {d.catalogue.map((p) => {
                const v = values.get(p.name);
                const missing = d.status?.unsupported?.find((u) => u.parameter === p.name);
                return (
                  <tr key={p.name} data-param={p.name}>
                    <td class="mono">{p.name}{p.writable && <span class="tag" title={t('device.writableHint')}>{t('device.writable')}</span>}</td>
                    <td>{p.description}</td>
                    <td>{p.unit}</td>
                    <td>{p.source}</td>
                    <td class="num"><LastValue value={latest.values.get(p.name)} unit={p.unit} nowMs={serverNow} name={p.name} staleAfterMs={latest.staleAfterMs[p.name]} /></td>
                    <td class="num" data-testid={`live-${p.name}`}>{v && v.quality !== 'bad' ? (v.text ?? fmtNumber(v.value, 3)) : '—'}{v && v.quality !== 'good' ? <span class="tag" data-testid={`quality-${p.name}`} data-quality={v.quality} data-reason={v.reason ?? ''}>{qualityText(v)}</span> : null}
                      {missing && (missing.exceptionCode === 0
                        ? <span class="tag" data-testid={`unsupported-${p.name}`} data-code="0" title={t('device.unsupportedSilentHint')}>{t('device.unsupportedSilent')}</span>
                        : <span class="tag" data-testid={`unsupported-${p.name}`} data-code={missing.exceptionCode} title={t('device.unsupportedHint')}>{t('device.unsupported', { code: missing.exceptionCode.toString(16).padStart(2, '0') })}</span>)}</td>
                    <td>{v ? <time dateTime={new Date(v.timeMs).toISOString()}>{fmtTime(v.timeMs)}</time> : ''}</td>
                    <td>{canTalk && p.writable && (
                      <button type="button" class="small" data-testid={`write-${p.name}`} onClick={() => setWriting(p)} disabled={!d.writeKey}
                        title={d.writeKey ? '' : t('device.errNoWriteKey')}>{t('device.write')}</button>
                    )}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      {d.catalogue.length > 0 && <DeviceTrends site={d.site} device={d.device} catalogue={d.catalogue} initial={trendDefaults(d.catalogue)} />}
      <DeviceEvents site={d.site} device={d.device} />
      {canTalk && (
        <section class="card" aria-labelledby="dev-logs">
          <div class="section-head">
            <h2 id="dev-logs">{t('device.logs')}</h2>
            <button type="button" onClick={() => void fetchLogs()}>{t('device.fetchLogs')}</button>
          </div>
          {logsError && <p class="error" role="alert">{logsError}</p>}
          {logs && (logs.length === 0 ? <p class="muted">{t('ticket.logNone')}</p> : <pre class="log" tabIndex={0}>{logs.join('\n')}</pre>)}
        </section>
      )}
      {writing && (
        <WriteDialog param={writing} current={values.get(writing.name)}
          readCurrent={async () => (await api.post<LiveResult>(`${path}/live`, { names: [writing.name] })).values.find((x) => x.name === writing.name)} onClose={() => setWriting(null)} onWrite={async (value) => {
          try {
            const r = await api.post<WriteResult>(`${path}/write`, { values: [{ name: writing.name, value }], confirm: true });
            setLive((prev) => ({ ...r, values: [...(prev?.values ?? []).filter((x) => !r.values.some((y) => y.name === x.name)), ...r.values] }));
            if (r.outcome === 'unknown') toast('warn', t('device.writeUnknown', { name: writing.name, value: fmtNumber(value, 3) }));
            else toast('ok', t('device.written', { name: writing.name, value: fmtNumber(r.values[0]?.value ?? value, 3) }));
            setWriting(null);
            return '';
          } catch (err) {
            return rpcErrorText(err);
          }
        }} />
      )}
    </div>
  );
}

function WriteDialog(props: {
  param: CatalogueEntry; current: LiveValue | undefined; readCurrent: () => Promise<LiveValue | undefined>; onClose: () => void; onWrite: (value: number) => Promise<string>;
}) {
  const [text, setText] = useState(props.current ? String(props.current.value) : '');
  // The value on the device now, read afresh when the dialog opens, so the engineer sees what the write replaces.
  const [current, setCurrent] = useState<LiveValue | undefined>(props.current);
  const [reading, setReading] = useState(true);
  useEffect(() => {
    let alive = true;
    props.readCurrent().then((v) => {
      if (!alive || !v) return;
      setCurrent(v);
      setText((old) => (old === '' && v.quality !== 'bad' ? String(v.value) : old));
    }).catch(() => undefined).finally(() => { if (alive) setReading(false); });
    return () => { alive = false; };
  }, []);
  const currentText = current && current.quality !== 'bad'
    ? `${current.text ?? fmtNumber(current.value, 3)} ${props.param.unit} (${fmtTime(current.timeMs)})` : reading ? t('common.loading') : t('device.notPulled');
  const [step, setStep] = useState<'edit' | 'confirm'>('edit');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const value = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(value)
    && (props.param.min === undefined || value >= props.param.min) && (props.param.max === undefined || value <= props.param.max);
  return (
    <Dialog title={t('device.writeTitle', { name: props.param.name })} onClose={props.onClose}>
      {step === 'edit' ? (
        <form onSubmit={(e) => { e.preventDefault(); if (valid) setStep('confirm'); }}>
          <p>{props.param.description}</p>
          <p class="muted" data-testid="write-current">{t('device.currentValue')}: {currentText}</p>
          <label for="write-value">{t('device.newValue')} ({props.param.unit || '—'})</label>
          <input id="write-value" type="number" step="any" required value={text} min={props.param.min} max={props.param.max}
            aria-describedby={props.param.min !== undefined ? 'write-range' : undefined} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          {props.param.min !== undefined && props.param.max !== undefined && (
            <p id="write-range" class="muted" data-testid="write-range">
              {t('device.allowedRange', { min: fmtNumber(props.param.min, 3), max: fmtNumber(props.param.max, 3), unit: props.param.unit })}
            </p>
          )}
          <div class="buttons">
            <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
            <button type="submit" class="primary" disabled={!valid}>{t('common.next')}</button>
          </div>
        </form>
      ) : (
        <form onSubmit={async (e) => { e.preventDefault(); setBusy(true); setError(await props.onWrite(value)); setBusy(false); }}>
          <p class="warn-box" role="alert">{t('device.confirmWrite', { name: props.param.name, value: `${fmtNumber(value, 3)} ${props.param.unit}` })}</p>
          <p data-testid="confirm-current">{t('device.currentValue')}: {currentText} → {t('device.newValue')}: {fmtNumber(value, 3)} {props.param.unit}</p>
          {error && <p class="error" role="alert">{error}</p>}
          <div class="buttons">
            <button type="button" onClick={() => setStep('edit')}>{t('common.back')}</button>
            <button type="submit" class="danger" data-testid="confirm-write" disabled={busy}>{t('device.confirmButton')}</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

