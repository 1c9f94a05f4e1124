// The left column: my chats by activity, followed public chats, who I am,
// and the connection state.

import { currentUser } from './api.js';
import { $, h, fill, avatar, formatShort, icon } from './dom.js';
import { state, on, sortedChats, followedChats, chatTitle, directPeer } from './store.js';
import { nameOf } from './people.js';
import { summary } from './files.js';
import { updateBadge, isMuted } from './notify.js';
import { t } from './i18n.js';

function chatIcon(chat) {
  if (chat.kind === 'direct') {
    const peer = directPeer(chat);
    return avatar(peer?.username || chat.name, { size: 'sm', online: peer ? state.online.has(peer.id) : false });
  }
  return h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, icon(chat.public ? 'hash' : 'lock', { size: 16 }));
}

function preview(chat) {
  const m = chat.last_message;
  if (!m) return chat.kind === 'direct' ? t('side.sayHello') : t('side.noMessages');
  const mine = m.sender.id === currentUser()?.id;
  const text = m.body ? m.body.replace(/\s+/g, ' ') : summary(m);
  if (chat.kind === 'direct' && !mine) return text;
  return `${mine ? t('side.you') : nameOf(m.sender)}: ${text}`;
}

function chatItem(chat) {
  const unread = chat.unread || 0;
  const mentions = chat.mentions || 0;
  const muted = isMuted(chat.id);
  const title = chatTitle(chat);
  const extra = `${unread ? `, ${t('side.unread', { count: unread })}` : ''}${mentions ? `, ${t('side.mentions', { count: mentions })}` : ''}${muted ? `, ${t('side.muted')}` : ''}`;
  return h(
    'li',
    {},
    h(
      'a',
      {
        class: `chat-item${unread && !muted ? ' has-unread' : ''}${muted ? ' muted' : ''}`,
        href: `#/chat/${chat.id}`,
        'aria-current': state.currentId === chat.id ? 'page' : null,
        'data-chat-id': chat.id,
      },
      chatIcon(chat),
      h(
        'span',
        { class: 'chat-item-text' },
        h('span', { class: 'chat-item-top' }, h('span', { class: 'chat-item-name' }, title), h('span', { class: 'chat-item-time' }, formatShort(chat.last_message?.created_at))),
        h('span', { class: 'chat-item-bottom' }, h('span', { class: 'chat-item-preview' }, preview(chat)),
          muted ? h('span', { class: 'muted-icon', 'aria-hidden': 'true', title: t('side.muted') }, '🔕') : null,
          mentions ? h('span', { class: 'badge badge-mention', 'aria-hidden': 'true' }, `@${mentions > 99 ? '99+' : mentions}`) : null,
          unread ? h('span', { class: `badge${muted ? ' badge-muted' : ''}`, 'aria-hidden': 'true' }, unread > 99 ? '99+' : unread) : null),
        // The link's name is its visible text (WCAG 2.5.3), plus the counts.
        extra ? h('span', { class: 'sr-only' }, extra) : null,
      ),
    ),
  );
}

export function renderChatList() {
  const mine = sortedChats();
  fill($('#chat-list'), mine.map(chatItem));
  const empty = $('#chat-list-empty');
  empty.hidden = mine.length > 0;
  empty.textContent = currentUser()?.role === 'guest' ? t('side.guestEmpty') : t('side.empty');
  const followed = followedChats();
  $('#following-section').hidden = followed.length === 0;
  fill($('#following-list'), followed.map(chatItem));
  updateBadge();
}

const CONNECTION_TEXT = {
  online: 'conn.online',
  connecting: 'conn.connecting',
  reconnecting: 'conn.reconnecting',
  offline: 'conn.offline',
};

let countdown = null;

export function renderConnection() {
  const conn = state.connection;
  const s = conn?.state || 'offline';
  const pill = $('#conn-pill');
  pill.className = `conn-pill conn-${s}`;
  pill.textContent = t(CONNECTION_TEXT[s]);
  pill.dataset.state = s;
  const banner = $('#conn-banner');
  clearInterval(countdown);
  if (s === 'online' || s === 'connecting') {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  const paint = () => {
    const secs = Math.max(0, Math.ceil((conn.retryAt - Date.now()) / 1000));
    fill(
      banner,
      h('span', { class: 'conn-banner-dot', 'aria-hidden': 'true' }),
      s === 'reconnecting' && secs > 0 ? t('conn.lostIn', { count: secs }) : t('conn.lost'),
      h('button', { type: 'button', class: 'link-btn', onclick: () => conn.retryNow() }, t('conn.retryNow')),
    );
  };
  paint();
  countdown = setInterval(paint, 1000);
}

let shownMe = '';

export function renderMe({ onLogout, onDeleteAccount, onSignUp, onProfile, onPassword, onLanguage }) {
  const user = currentUser();
  if (!user) return;
  // Token renewals call this often: rebuild only when something shows a change.
  const key = `${user.id}/${user.username}/${user.role}/${user.display_name}/${user.avatar_url}`;
  if (key === shownMe && $('#me').firstChild) return;
  shownMe = key;
  const menuId = 'me-menu';
  const menu = h(
    'div',
    { class: 'menu', id: menuId, role: 'menu', hidden: true },
    user.role === 'guest' ? h('button', { type: 'button', role: 'menuitem', onclick: onSignUp }, t('me.createAccount')) : null,
    h('button', { type: 'button', role: 'menuitem', onclick: onProfile }, t('me.editProfile')),
    user.role === 'guest' ? null : h('button', { type: 'button', role: 'menuitem', onclick: onPassword }, t('me.changePassword')),
    h('button', { type: 'button', role: 'menuitem', onclick: onLanguage }, t('me.language')),
    h('button', { type: 'button', role: 'menuitem', onclick: onLogout }, t('me.logout')),
    h('button', { type: 'button', role: 'menuitem', class: 'danger', onclick: onDeleteAccount }, t('me.deleteAccount')),
  );
  const toggle = h(
    'button',
    { type: 'button', class: 'me-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId },
    avatar(user.display_name || user.username, { size: 'sm', online: true, url: user.avatar_url }),
    h('span', { class: 'me-text' },
      h('span', { class: 'me-name', title: user.display_name ? `@${user.username}` : null }, user.display_name || user.username),
      h('span', { class: 'me-role' }, t(`role.${user.role}`))),
    h('span', { class: 'me-caret', 'aria-hidden': 'true' }, icon('more')),
  );
  wireMenu(toggle, menu);
  fill($('#me'), toggle, menu);
}

/** A button that opens a small menu; Escape or a click elsewhere closes it. */
export function wireMenu(toggle, menu) {
  const close = () => {
    menu.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside, true);
  };
  const outside = (e) => {
    if (!menu.contains(e.target) && !toggle.contains(e.target)) close();
  };
  toggle.addEventListener('click', () => {
    if (!menu.hidden) return close();
    menu.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    menu.querySelector('button')?.focus();
    document.addEventListener('click', outside, true);
  });
  menu.addEventListener('click', (e) => {
    if (e.target.closest('button')) close();
  });
  menu.addEventListener('keydown', (e) => {
    const items = [...menu.querySelectorAll('button')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      close();
      toggle.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(i + 1) % items.length].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i - 1 + items.length) % items.length].focus();
    }
  });
}

export function initSidebar() {
  on('chats', renderChatList);
  on('presence', renderChatList);
  on('connection', renderConnection);
}
