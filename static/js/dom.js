// Small DOM helpers. Everything user-supplied goes in as text nodes or
// attribute values, never as markup.

/** Build an element: h('button', {class: 'x', onclick: fn}, 'label', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const PALETTE = ['#e01e5a', '#2eb67d', '#1264a3', '#ecb22e', '#9b59b6', '#e8912d', '#0b8a8a', '#c2185b', '#5b6abf', '#4a8c2a'];

export function colorFor(name) {
  let hash = 0;
  for (const ch of String(name).toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

/** A coloured square with the first letter of a name, optionally a presence dot. */
export function avatar(name, { size = 'md', online = null } = {}) {
  const initial = [...String(name || '?')][0].toUpperCase();
  const el = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' }, initial);
  el.style.setProperty('--avatar-bg', colorFor(name));
  if (online !== null) el.append(presenceDot(online));
  return el;
}

export function presenceDot(online) {
  return h('span', { class: `presence ${online ? 'on' : 'off'}`, title: online ? 'online' : 'offline' });
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const yearDayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
const shortFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export const formatTime = (iso) => timeFmt.format(new Date(iso));

export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatDay(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (dayKey(d) === dayKey(today)) return 'Today';
  if (dayKey(d) === dayKey(yesterday)) return 'Yesterday';
  return d.getFullYear() === today.getFullYear() ? dayFmt.format(d) : yearDayFmt.format(d);
}

/** "14:05" today, "Nov 3" otherwise: for the sidebar. */
export function formatShort(iso) {
  if (!iso) return '';
  return dayKey(iso) === dayKey(new Date()) ? formatTime(iso) : shortFmt.format(new Date(iso));
}

let toastTimer = null;

/** A short notice at the bottom of the screen, read out by screen readers. */
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast toast-${kind} show`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

/** Debounce a function by `ms`. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
