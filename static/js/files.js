// A message's attachments: images as thumbnails that open full size, voice
// and other audio as a small player showing the duration, anything else as
// a chip with name, type and size that downloads. Names and types go in as
// text only; URLs are the server's signed file paths.

import { h, icon } from './dom.js';
import { t, locale } from './i18n.js';

const THUMB_MAX_W = 320;
const THUMB_MAX_H = 240;

/** "1.2 MB", "640 KB", "12 B". */
export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1000) return t('size.B', { n: bytes });
  const units = ['size.KB', 'size.MB', 'size.GB'];
  let n = bytes / 1000;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u += 1;
  }
  return t(units[u], { n: (n < 10 ? Math.round(n * 10) / 10 : Math.round(n)).toLocaleString(locale()) });
}

/** "0:07", "12:30", "1:02:03" (whole seconds, rounded down like a clock). */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours ? `${hours}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A short type label: "PDF", "PNG", "TXT", else the file's extension. */
function typeLabel(a) {
  const sub = (a.content_type || '').split(';')[0].split('/')[1] || '';
  const ext = /\.([a-z0-9]{1,8})$/i.exec(a.name || '')?.[1];
  if (sub === 'plain') return ext ? ext.toUpperCase() : t('file.text');
  if (sub === 'octet-stream') return ext ? ext.toUpperCase() : t('file.file');
  return (sub.replace(/^(x-|vnd\.)/, '').split(/[.+-]/)[0] || t('file.file')).toUpperCase();
}

/** Only our own file paths (or absolute http(s) URLs the server signed). */
function safeUrl(url) {
  return typeof url === 'string' && (/^\/api\/v1\/files\//.test(url) || /^https?:\/\//.test(url)) ? url : null;
}

const isImage = (a) => /^image\/(png|jpeg|gif|webp)$/.test(a.content_type) && a.thumbnail_url;
const isAudio = (a) => /^audio\//.test(a.content_type);

/** Words for a message without a body: the sidebar preview, the announcer. */
export function summary(message) {
  const list = message.attachments || [];
  if (!list.length) return '';
  if (list.length > 1) return t('file.count', { count: list.length });
  const a = list[0];
  if (isAudio(a) && a.duration_ms != null) return t('voice.summary', { duration: formatDuration(a.duration_ms) });
  if (isImage(a)) return t('file.photo');
  return a.name;
}

function thumbSize(a) {
  const w = a.width || THUMB_MAX_W;
  const hgt = a.height || THUMB_MAX_H;
  const scale = Math.min(1, THUMB_MAX_W / w, THUMB_MAX_H / hgt);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(hgt * scale)) };
}

function image(a) {
  const { width, height } = thumbSize(a);
  const img = h('img', { src: safeUrl(a.thumbnail_url), alt: a.name, width, height, loading: 'lazy', decoding: 'async' });
  return h('button', { type: 'button', class: 'att-image', 'aria-label': t('file.openImage', { name: a.name }), onclick: () => openImage(a) }, img);
}

/** The full-size image over the page; Escape or a click outside closes it. */
export function openImage(a) {
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const dialog = h('dialog', { class: 'lightbox', 'aria-label': a.name },
    h('div', { class: 'lightbox-bar' },
      h('span', { class: 'lightbox-name' }, a.name),
      h('a', { class: 'btn btn-ghost', href: safeUrl(a.url), download: a.name }, t('file.download')),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('common.close'), onclick: close }, '×'),
    ),
    h('img', { class: 'lightbox-img', src: safeUrl(a.url), alt: a.name }),
  );
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) close();
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function audio(a) {
  const el = h('audio', { preload: 'none', src: safeUrl(a.url) });
  const known = a.duration_ms != null;
  const time = h('span', { class: 'att-time' }, known ? formatDuration(a.duration_ms) : '');
  const bar = h('progress', { class: 'att-progress', max: 1, value: 0, 'aria-label': t('voice.played') });
  const play = h('button', { type: 'button', class: 'att-play', 'aria-label': t('voice.play', { name: a.name }) }, icon('play', { size: 16 }));
  const total = () => (known ? a.duration_ms / 1000 : el.duration);
  play.addEventListener('click', () => (el.paused ? el.play().catch(() => {}) : el.pause()));
  el.addEventListener('play', () => {
    play.replaceChildren(icon('pause', { size: 16 }));
    play.setAttribute('aria-label', t('voice.pause', { name: a.name }));
  });
  el.addEventListener('pause', () => {
    play.replaceChildren(icon('play', { size: 16 }));
    play.setAttribute('aria-label', t('voice.play', { name: a.name }));
  });
  el.addEventListener('timeupdate', () => {
    const t = total();
    if (Number.isFinite(t) && t > 0) bar.value = Math.min(1, el.currentTime / t);
    time.textContent = `${formatDuration(el.currentTime * 1000)} / ${Number.isFinite(t) ? formatDuration(t * 1000) : '…'}`;
  });
  el.addEventListener('ended', () => {
    bar.value = 1;
    if (known) time.textContent = formatDuration(a.duration_ms);
  });
  const label = known ? t('voice.label') : a.name;
  return h('div', { class: 'att-audio' }, play,
    h('span', { class: 'att-audio-text' }, h('span', { class: 'att-audio-name' }, label), bar),
    time, el);
}

function chip(a) {
  return h('a', { class: 'att-file', href: safeUrl(a.url), download: a.name, title: a.name },
    h('span', { class: 'att-file-icon', 'aria-hidden': 'true' }, icon('file', { size: 20 })),
    h('span', { class: 'att-file-text' },
      h('span', { class: 'att-file-name' }, a.name),
      h('span', { class: 'att-file-meta' }, `${typeLabel(a)} · ${formatSize(a.size)}`),
    ),
  );
}

/** The attachments block of a message, or null when it has none. */
export function attachmentsBlock(list) {
  if (!list?.length) return null;
  return h('div', { class: 'attachments' }, list.map((a) => (isImage(a) ? image(a) : isAudio(a) ? audio(a) : chip(a))));
}
