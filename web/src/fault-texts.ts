/**
 * Fault messages, remedies and knowledge-base seeds in the UI language: the adapters' Chinese
 * twins (GET /api/fault-texts, loaded once) when the UI is in Chinese, else (or where a twin is
 * missing) the English the collector stored.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { currentLang } from './i18n';
import type { FaultTextsJson } from '../../collector/api/fault-text-routes.js';
import type { KbEntry } from './types';

let loading: Promise<FaultTextsJson | null> | undefined;
let loaded: FaultTextsJson | null = null;

function load(): Promise<FaultTextsJson | null> {
  loading ??= api.get<FaultTextsJson>('/api/fault-texts').then((x) => { loaded = x; return x; }).catch(() => { loading = undefined; return null; });
  return loading;
}

/** The Chinese texts once loaded, when the UI is in Chinese (null in English or before they arrive). */
export function useFaultTexts(): FaultTextsJson | null {
  const zh = currentLang() === 'zh';
  const [texts, setTexts] = useState<FaultTextsJson | null>(zh ? loaded : null);
  useEffect(() => {
    if (!zh || texts) return;
    let alive = true;
    void load().then((x) => { if (alive) setTexts(x); });
    return () => { alive = false; };
  }, [zh]);
  return zh ? texts : null;
}

export function faultMessage(texts: FaultTextsJson | null, code: string, en: string): string {
  const f = texts?.faults[code];
  if (!f?.message) return en;
  return f.template ? fillFromEnglish(f.template, en, f.message) ?? en : f.message;
}

/** The Chinese template filled with the values the English message has where its template has placeholders (null when it does not fit). */
export function fillFromEnglish(template: string, en: string, zh: string): string | null {
  const names: string[] = [];
  const source = template.split(/\$\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 1) { names.push(part); return '([\\s\\S]*?)'; }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  const m = new RegExp(`^${source}$`).exec(en);
  if (!m) return null;
  const values = new Map(names.map((n, i) => [n, m[i + 1] ?? '']));
  return zh.replace(/\$\{(\w+)\}/g, (_all, n: string) => values.get(n) ?? '');
}

export function faultRemedy(texts: FaultTextsJson | null, code: string, en: string): string {
  return texts?.faults[code]?.remedy ?? en;
}

/** A knowledge entry seeded from an adapter, in Chinese where the adapter has it (learned entries stay as written). */
export function kbEntryText(texts: FaultTextsJson | null, e: KbEntry): { title: string; symptoms: string; diagnosis: string[]; remedy: string } {
  const plain = { title: e.title, symptoms: e.symptoms, diagnosis: e.diagnosis, remedy: e.remedy };
  if (!texts || !e.source.startsWith('adapter:')) return plain;
  const k = texts.knowledge[e.code];
  const f = texts.faults[e.code];
  return {
    title: f?.message ?? e.title,
    symptoms: k?.symptoms ?? (k ? e.symptoms : f?.message ?? e.symptoms),
    diagnosis: k?.diagnosis && k.diagnosis.length === e.diagnosis.length ? k.diagnosis : e.diagnosis,
    remedy: k?.remedy ?? f?.remedy ?? e.remedy,
  };
}
