// Small DOM helpers. Everything user-supplied goes in as text nodes or
// attribute values, never as markup.

import { t, dateFormat, formatClock } from './i18n.js';

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

/** A coloured square with the first letter of a name (or the picture at
 * `url`), optionally a presence dot. */
export function avatar(name, { size = 'md', online = null, url = null } = {}) {
  const initial = [...String(name || '?')][0].toUpperCase();
  const el = h('span', { class: `avatar avatar-${size}${url ? ' has-picture' : ''}`, 'aria-hidden': 'true' },
    url ? h('img', { src: url, alt: '', loading: 'lazy' }) : initial);
  el.style.setProperty('--avatar-bg', colorFor(name));
  if (online !== null) el.append(presenceDot(online));
  return el;
}

export function presenceDot(online) {
  return h('span', { class: `presence ${online ? 'on' : 'off'}`, title: online ? t('presence.online') : t('presence.offline') });
}

// In the UI's language (not the system's), like every other word on screen.
const dayFmt = dateFormat({ weekday: 'long', month: 'long', day: 'numeric' });
const yearDayFmt = dateFormat({ year: 'numeric', month: 'long', day: 'numeric' });
const shortFmt = dateFormat({ month: 'short', day: 'numeric' });

export const formatTime = (iso) => formatClock(new Date(iso));

export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatDay(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (dayKey(d) === dayKey(today)) return t('day.today');
  if (dayKey(d) === dayKey(yesterday)) return t('day.yesterday');
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

const SVG_NS = 'http://www.w3.org/2000/svg';

// Our own line icons (24×24, stroked with the text colour).
const ICONS = {
  plus: ['M12 5v14', 'M5 12h14'],
  mail: ['M4 6h16v12H4z', 'M4 7l8 6 8-6'],
  hash: ['M5 9h14', 'M5 15h14', 'M10 4L8 20', 'M16 4l-2 16'],
  shield: ['M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z'],
  lock: ['M6 11h12v9H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
  users: ['M9 11.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z', 'M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6', 'M16 4.6a3.5 3.5 0 0 1 0 6.8', 'M18 14.2c2.2.7 3.5 2.6 3.5 5.8'],
  back: ['M15 5l-7 7 7 7'],
  more: ['M5 12h.01', 'M12 12h.01', 'M19 12h.01'],
  send: ['M4 12l16-8-6 16-2.5-6.5z', 'M11.5 13.5L20 4'],
  clip: ['M20 11.5l-8.3 8.3a5 5 0 0 1-7-7L13 4.5a3.3 3.3 0 0 1 4.7 4.7l-8.3 8.3a1.7 1.7 0 0 1-2.4-2.4L15 7.3'],
  mic: ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  file: ['M6 3h8l4 4v14H6z', 'M14 3v4h4'],
  play: ['M7 4l13 8-13 8z'],
  pause: ['M7 4h3v16H7z', 'M14 4h3v16h-3z'],
  stop: ['M6 6h12v12H6z'],
  globe: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M3 12h18', 'M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z'],
};

/** An inline SVG icon; decorative unless given a label. */
export function icon(name, { size = 18, label = null } = {}) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', name === 'more' ? '3' : '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('class', 'icon');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  for (const d of ICONS[name] || []) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Swap every <span data-icon="name"> placeholder in the page for its icon. */
export function placeIcons(root = document) {
  for (const el of root.querySelectorAll('[data-icon]')) el.replaceWith(icon(el.dataset.icon));
}
