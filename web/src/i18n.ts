/**
 * UI text in English and Chinese. Every string lives in the dictionaries (i18n/en.json, i18n/zh.json,
 * the same keys: a test checks), looked up by key with {name} placeholders. The language is kept in
 * localStorage; switching re-renders the app.
 */
import en from './i18n/en.json';
import zh from './i18n/zh.json';

export type Key = keyof typeof en;
export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

const DICTS: Record<Lang, Record<string, string>> = { en, zh };
const STORAGE_KEY = 'fl.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch { /* storage unavailable */ }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let lang: Lang = initialLang();

export function currentLang(): Lang { return lang; }

export function setLang(next: Lang): void {
  lang = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch { /* ignore */ }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

export function t(key: Key, vars?: Record<string, string | number>): string {
  const text = DICTS[lang][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

/** A key built at run time (a status, a priority): falls back to the raw value when the dictionary lacks it. */
export function tx(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return DICTS[lang][key] ?? (en as Record<string, string>)[key] ?? value;
}
