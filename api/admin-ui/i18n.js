/*
 * Texts in Dutch and English: one dictionary per language (i18n/nl.js, i18n/en.js) with the same
 * keys. `t('key', { n: 3 })` fills {n}; a key missing from a dictionary shows as the key itself,
 * which the browser test would catch.
 */
import en from './i18n/en.js';
import nl from './i18n/nl.js';

const dictionaries = { en, nl };
export const LANGUAGES = ['nl', 'en'];
const STORE = 'npsflow.language';

function initialLanguage() {
  const stored = localStorage.getItem(STORE);
  if (stored && dictionaries[stored]) return stored;
  return (navigator.language || 'en').toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

let language = initialLanguage();
document.documentElement.lang = language;

export const currentLanguage = () => language;
export const locale = () => (language === 'nl' ? 'nl-NL' : 'en-GB');

export function setLanguage(next) {
  if (!dictionaries[next]) return;
  language = next;
  localStorage.setItem(STORE, next);
  document.documentElement.lang = next;
}

export function t(key, params) {
  const text = dictionaries[language][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
}
