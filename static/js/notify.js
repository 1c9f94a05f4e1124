// Notifications: the unread count in the tab title and on the favicon, a
// desktop notification (with the user's permission) for direct messages
// and mentions while the tab is hidden, and a per-chat mute kept in
// localStorage.

import { currentUser } from './api.js';
import { $ } from './dom.js';
import { state, on, chatTitle, loadDetails } from './store.js';
import { nameOf, knows } from './people.js';
import { t } from './i18n.js';

const muteKey = () => `microchat.muted.${currentUser()?.id}`;
let muted = new Set();

function loadMuted() {
  try {
    muted = new Set(JSON.parse(localStorage.getItem(muteKey()) || '[]'));
  } catch {
    muted = new Set();
  }
}

export const isMuted = (chatId) => muted.has(chatId);

export function toggleMute(chatId) {
  if (muted.has(chatId)) muted.delete(chatId);
  else muted.add(chatId);
  try {
    localStorage.setItem(muteKey(), JSON.stringify([...muted]));
  } catch {
    /* private mode: the mute lasts for this page */
  }
  updateBadge();
}

let lastCount = -1;

function favicon(count) {
  const link = document.querySelector('link[rel="icon"]');
  if (!count) {
    link.type = 'image/svg+xml';
    link.href = '/favicon.svg';
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 32;
  const g = canvas.getContext('2d');
  g.fillStyle = '#4a154b';
  g.fillRect(0, 0, 32, 32);
  g.fillStyle = '#cd2553';
  g.beginPath();
  g.arc(22, 10, 10, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = '#fff';
  g.font = 'bold 13px sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(count > 9 ? '9+' : String(count), 22, 11);
  link.type = 'image/png';
  link.href = canvas.toDataURL('image/png');
}

/** Unread messages of my chats that are not muted: the title and favicon. */
export function updateBadge() {
  const count = [...state.chats.values()]
    .filter((c) => c.my_role && !muted.has(c.id))
    .reduce((n, c) => n + (c.unread || 0), 0);
  document.title = count ? `(${count}) microchat` : 'microchat';
  document.documentElement.dataset.unread = String(count);
  if (count !== lastCount) favicon(count);
  lastCount = count;
}

function renderPermission() {
  const button = $('#enable-notifications');
  button.hidden = !('Notification' in window) || Notification.permission !== 'default';
}

async function notifyDesktop(msg) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' || muted.has(msg.chat_id)) return;
  const chat = state.chats.get(msg.chat_id);
  const direct = chat?.kind === 'direct';
  const mentioned = msg.mentions?.includes(currentUser()?.id);
  if (!direct && !mentioned) return;
  // The sender by display name: the chat's members list has it.
  if (!knows(msg.sender.id)) await loadDetails(msg.chat_id);
  const who = nameOf(msg.sender);
  const title = direct ? who : t('notify.inChat', { name: who, chat: chatTitle(chat) });
  const n = new Notification(title, { body: msg.body.slice(0, 200), tag: `microchat-${msg.chat_id}` });
  n.onclick = () => {
    window.focus();
    location.hash = `#/chat/${msg.chat_id}`;
    n.close();
  };
}

export function initNotify() {
  on('chats', updateBadge);
  on('incoming', notifyDesktop);
  $('#enable-notifications').addEventListener('click', async () => {
    await Notification.requestPermission();
    renderPermission();
  });
}

/** After sign-in: this user's mutes and the permission prompt. */
export function startNotify() {
  loadMuted();
  lastCount = -1;
  updateBadge();
  renderPermission();
}
