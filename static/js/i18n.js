// The UI's language: every user-visible string comes from one table per
// language (static/i18n/*.js), looked up by key. The language is the one
// chosen in the account menu (kept in localStorage: the profile has no field
// for it), else the first of the browser's languages we speak, else English.
// Dates, times and plurals follow it through Intl.

import en from '../i18n/en.js';
import ru from '../i18n/ru.js';

const TABLES = { en, ru };
export const LANGUAGES = [['en', 'English'], ['ru', 'Русский']];
const KEY = 'microchat.lang';

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function detect() {
  const chosen = stored();
  if (chosen && TABLES[chosen]) return chosen;
  for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language || 'en']) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (TABLES[primary]) return primary;
  }
  return 'en';
}

let current = detect();
const plurals = new Intl.PluralRules(current);

/** The UI's language code ('en', 'ru'). */
export const locale = () => current;

/** Remembers the choice and reloads, so every view is drawn in it. */
export function setLocale(code) {
  if (!TABLES[code]) return;
  try {
    localStorage.setItem(KEY, code);
  } catch {
    /* private mode: the choice lasts for this page */
  }
  if (code !== current) {
    current = code;
    location.reload();
  }
}

function interpolate(text, params) {
  return text.replace(/\{(\w+)\}/g, (all, name) => (params[name] == null ? all : String(params[name])));
}

/**
 * The text of `key` in the UI's language (English when the table lacks
 * it), with `{name}`s filled from `params`. A plural entry
 * (`{one, few, many, other}`) is picked by `params.count`.
 */
export function t(key, params = {}) {
  let entry = TABLES[current][key] ?? en[key];
  if (entry == null) return key;
  if (typeof entry === 'object') {
    const form = plurals.select(Number(params.count ?? 0));
    entry = entry[form] ?? entry.other;
  }
  return interpolate(entry, params);
}

/** Whether `key` exists (for optional entries such as a server reason). */
export const has = (key) => key in TABLES[current] || key in en;

/**
 * Words for an error the server or the network gave. English keeps the
 * server's own message (it is English and the most specific); other
 * languages show the translation of the contract's `details.reason` or
 * error code, falling back to the server's message.
 */
export function errorText(err) {
  if (!err) return '';
  if (err.code === 'network') return t('error.network');
  const server = err.serverMessage || err.message;
  if (current === 'en' && server) return server;
  if (err.code === 'rate_limited' && err.retryAfter) return t('error.rate_limited_in', { count: err.retryAfter });
  const reason = err.details?.reason;
  if (reason && has(`reason.${reason}`)) return t(`reason.${reason}`);
  if (err.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
  return server || t('error.internal');
}

/** A field's validation reason: translated by field outside English. */
export function fieldText(field, reason) {
  if (current === 'en' || !has(`field.${field}`)) return reason;
  return t(`field.${field}`);
}

/**
 * Fills the static page: `data-i18n="key"` sets the text,
 * `data-i18n-attr="attr:key;attr:key"` sets attributes.
 */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

// --- dates and times in the UI's language ------------------------------------

const fmt = (opts) => new Intl.DateTimeFormat(current, opts);
const timeFmt = fmt({ hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = fmt({ dateStyle: 'medium', timeStyle: 'short' });
const dateFmt = fmt({ dateStyle: 'medium' });

export const formatClock = (d) => timeFmt.format(d);
export const formatDateTime = (iso) => dateTimeFmt.format(new Date(iso));
export const formatDate = (iso) => dateFmt.format(new Date(iso));
export const dateFormat = fmt;
