// Files waiting to go with the next message in each chat: picked with the
// attach button, dropped on the chat, pasted into the composer or recorded
// as voice. Each uploads at once (XMLHttpRequest, for its progress events)
// with a progress bar and a cancel button; a failed one can be retried.

import { accessToken, onSession, refresh, tokenExpiresAt } from './api.js';
import { $, h, fill, icon } from './dom.js';
import { formatSize, formatDuration } from './files.js';
import { state } from './store.js';
import { t, errorText } from './i18n.js';

const MAX_FILES = 10;
const trays = new Map(); // chatId -> [item]
let nextKey = 1;

const tray = (chatId) => {
  if (!trays.has(chatId)) trays.set(chatId, []);
  return trays.get(chatId);
};

/** Whether the open chat's files are all uploaded (none in flight). */
export const trayBusy = (chatId) => tray(chatId).some((i) => i.status === 'uploading');

/** The uploaded files of a chat's tray, taken out of it for a send. */
export function takeUploads(chatId) {
  const items = tray(chatId);
  const done = items.filter((i) => i.status === 'done');
  done.forEach(forget);
  trays.set(chatId, items.filter((i) => i.status !== 'done'));
  render();
  return done.map((i) => i.upload);
}

/** Queue files for the open chat and start uploading them. */
export function addFiles(files, { durationMs = null } = {}) {
  const chatId = state.currentId;
  if (!chatId) return;
  const items = tray(chatId);
  for (const file of files) {
    if (items.length >= MAX_FILES) break;
    const item = { key: nextKey++, chatId, file, name: file.name || 'file', durationMs, status: 'uploading', progress: 0 };
    // A local preview of images while they upload (a blob: URL, freed in forget).
    if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) item.preview = URL.createObjectURL(file);
    items.push(item);
    start(item);
  }
  render();
}

async function start(item) {
  item.status = 'uploading';
  item.progress = 0;
  item.error = null;
  if (Date.now() > tokenExpiresAt() - 5000) await refresh();
  send(item, true);
}

function send(item, mayRefresh) {
  const form = new FormData();
  form.append('file', item.file, item.name);
  if (item.durationMs != null) form.append('duration_ms', String(Math.round(item.durationMs)));
  const xhr = new XMLHttpRequest();
  item.xhr = xhr;
  xhr.open('POST', '/api/v1/uploads');
  xhr.setRequestHeader('Authorization', `Bearer ${accessToken()}`);
  xhr.responseType = 'json';
  xhr.upload.addEventListener('progress', (e) => {
    if (!e.lengthComputable) return;
    item.progress = e.loaded / e.total;
    updateProgress(item);
  });
  xhr.addEventListener('load', async () => {
    if (item.status !== 'uploading') return;
    if (xhr.status === 401 && mayRefresh && (await refresh())) return send(item, false);
    if (xhr.status === 201) {
      item.status = 'done';
      item.upload = xhr.response;
    } else {
      item.status = 'failed';
      item.error = errorText({ code: xhr.response?.error?.code, details: xhr.response?.error?.details, serverMessage: xhr.response?.error?.message || `HTTP ${xhr.status}` });
    }
    render();
  });
  xhr.addEventListener('error', () => {
    if (item.status !== 'uploading') return;
    item.status = 'failed';
    item.error = errorText({ code: 'network' });
    render();
  });
  xhr.send(form);
}

function forget(item) {
  if (item.preview) URL.revokeObjectURL(item.preview);
  item.preview = null;
}

function remove(item) {
  if (item.status === 'uploading') {
    item.status = 'canceled';
    item.xhr?.abort();
  }
  forget(item);
  trays.set(item.chatId, tray(item.chatId).filter((i) => i !== item));
  render();
}

function updateProgress(item) {
  const bar = $(`#upload-tray [data-key="${item.key}"] progress`);
  if (bar) bar.value = item.progress;
}

function itemView(item) {
  const voice = item.durationMs != null;
  const meta = voice ? `${t('voice.label')} · ${formatDuration(item.durationMs)}` : formatSize(item.file.size);
  const status = item.status === 'uploading'
    ? h('progress', { max: 1, value: item.progress, 'aria-label': t('upload.uploading', { name: item.name }) })
    : item.status === 'failed'
      ? h('span', { class: 'tray-error', role: 'alert' }, item.error || t('upload.failed'))
      : h('span', { class: 'tray-done' }, t('upload.ready'));
  return h('li', { class: `tray-item ${item.status}`, 'data-key': item.key },
    item.preview
      ? h('img', { class: 'tray-thumb', src: item.preview, alt: '' })
      : h('span', { class: 'tray-icon', 'aria-hidden': 'true' }, icon(voice ? 'mic' : 'file', { size: 18 })),
    h('span', { class: 'tray-text' },
      h('span', { class: 'tray-name' }, item.name),
      h('span', { class: 'tray-meta' }, meta),
      status,
    ),
    item.status === 'failed' ? h('button', { type: 'button', class: 'link-btn', onclick: () => start(item).then(render) }, t('common.retry')) : null,
    h('button', {
      type: 'button', class: 'icon-btn small',
      'aria-label': item.status === 'uploading' ? t('upload.cancel', { name: item.name }) : t('members.remove', { name: item.name }),
      onclick: () => remove(item),
    }, '×'),
  );
}

/** Draws the open chat's tray and tells the composer whether it may send. */
export function render() {
  const el = $('#upload-tray');
  const items = state.currentId ? tray(state.currentId) : [];
  el.hidden = items.length === 0;
  fill(el, h('ul', { class: 'tray-list', 'aria-label': t('upload.attachments') }, items.map(itemView)));
  const busy = state.currentId && trayBusy(state.currentId);
  $('#composer').classList.toggle('uploading', !!busy);
}

function hasFiles(e) {
  return [...(e.dataTransfer?.types || [])].includes('Files');
}

export function initUploadTray() {
  // Another user may sign in on this page: nothing of the last one's stays.
  onSession((kind) => {
    if (kind !== 'signout') return;
    for (const items of trays.values()) {
      for (const item of items) {
        if (item.status === 'uploading') item.xhr?.abort();
        forget(item);
      }
    }
    trays.clear();
  });
  const input = $('#file-input');
  $('#attach-btn').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = '';
  });
  // Pasting a screenshot (or files copied in a file manager) attaches it.
  $('#composer-input').addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files || [])];
    if (!files.length) return;
    e.preventDefault();
    addFiles(files);
  });
  const zone = $('#chat-view');
  let depth = 0;
  zone.addEventListener('dragenter', (e) => {
    if (!hasFiles(e) || $('#composer').hidden) return;
    depth += 1;
    zone.classList.add('dropping');
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove('dropping');
  });
  zone.addEventListener('dragover', (e) => {
    if (hasFiles(e) && !$('#composer').hidden) e.preventDefault();
  });
  zone.addEventListener('drop', (e) => {
    depth = 0;
    zone.classList.remove('dropping');
    if (!hasFiles(e) || $('#composer').hidden) return;
    e.preventDefault();
    addFiles([...e.dataTransfer.files]);
  });
}
