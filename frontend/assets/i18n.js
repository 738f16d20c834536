/*
 * i18n.js — Korean (default) and English strings from assets/ko.json and assets/en.json.
 * t('key', {n: 3}) looks the key up in the active language, then in Korean, and finally
 * returns the key itself (so a missing string is visible, never blank). The choice is kept
 * in localStorage and mirrored on <html lang>.
 */
const LANG_KEY = 'kocruit.lang';
export const LANGS = ['ko', 'en'];
let lang = 'ko';
const dicts = {};

async function load(code) {
  if (dicts[code]) return;
  const res = await fetch(`/assets/${code}.json`);
  dicts[code] = res.ok ? await res.json() : {};
}

export async function initI18n() {
  const saved = localStorage.getItem(LANG_KEY);
  lang = LANGS.includes(saved) ? saved : 'ko';
  await Promise.all([load('ko'), load(lang)]);
  document.documentElement.lang = lang;
}

export function getLang() { return lang; }

export async function setLang(code) {
  if (!LANGS.includes(code)) return;
  await load(code);
  lang = code;
  localStorage.setItem(LANG_KEY, code);
  document.documentElement.lang = code;
}

export function t(key, vars) {
  let s = (dicts[lang] && dicts[lang][key]) ?? (dicts.ko && dicts.ko[key]) ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

/* Dates and numbers in the active locale. */
export function fmtDate(iso, withTime = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const o = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  return new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', o).format(d);
}

export function fmtNum(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', { maximumFractionDigits: digits }).format(v);
}
