// Entry point: session lifecycle, routing (#/chat/ID, #/admin) and the
// chat header's actions.

import { onSession, refresh, currentUser, logout, deleteAccount, accessToken, chatsApi } from './api.js';
import { $, h, fill, toast, avatar, icon, placeIcons } from './dom.js';
import { initAuthView, selectTab } from './auth-view.js';
import { initSidebar, renderChatList, renderConnection, renderMe, wireMenu } from './sidebar.js';
import { initConversation, openConversation, renderHeader, renderComposer, jumpTo } from './conversation.js';
import { initSearch } from './search.js';
import { initNotify, startNotify, isMuted, toggleMute } from './notify.js';
import { initMembers, toggleMembers, renderMembers, canManage } from './members.js';
import { modal, confirmDialog } from './dialogs.js';
import { newChatDialog, directDialog, browseDialog } from './chat-dialogs.js';
import { renderAdmin } from './admin.js';
import { profileDialog, passwordDialog, loadBlocks, rememberUsers, nameOf } from './people.js';
import { state, on, reset, loadChats, putChat, dropChat, chatTitle, markRead, conv, isReading, loadDetails } from './store.js';
import { createConnection, follow, unfollow } from './realtime.js';
import { summary } from './files.js';
import { t, translatePage, setLocale, locale, LANGUAGES } from './i18n.js';

const connection = createConnection({
  onRevoked: () => {
    toast(t('session.revoked'), 'error');
    logout().catch(() => {});
  },
});

const go = (id) => {
  location.hash = `#/chat/${id}`;
};

// --- following public chats survives reloads ------------------------------

const followKey = () => `microchat.following.${currentUser()?.id}`;

function saveFollowing() {
  try {
    localStorage.setItem(followKey(), JSON.stringify([...state.following]));
  } catch {
    /* private mode: following lasts for this page only */
  }
}

function loadFollowing() {
  try {
    return JSON.parse(localStorage.getItem(followKey()) || '[]').filter(Number.isInteger);
  } catch {
    return [];
  }
}

// --- screens ---------------------------------------------------------------

function showScreen(name) {
  $('#boot').hidden = true;
  $('#auth').hidden = name !== 'auth';
  $('#app').hidden = name !== 'app';
}

function showMain(view) {
  $('#empty-view').hidden = view !== 'empty';
  $('#chat-view').hidden = view !== 'chat';
  $('#admin-view').hidden = view !== 'admin';
  document.body.classList.toggle('main-open', view !== 'empty');
}

function renderEmpty() {
  const user = currentUser();
  const guest = user?.role === 'guest';
  fill($('#empty-view'),
    h('div', { class: 'empty-card' },
      avatar(user?.username || '?', { size: 'lg' }),
      h('h1', {}, t('empty.welcome', { name: user ? nameOf(user) : '' })),
      h('p', {}, guest ? t('empty.guest') : t('empty.pick')),
      h('div', { class: 'empty-actions' },
        guest ? null : h('button', { type: 'button', class: 'btn btn-primary', onclick: () => newChatDialog(go) }, t('side.newChat')),
        guest ? null : h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => directDialog(go) }, t('side.direct')),
        h('button', { type: 'button', class: `btn ${guest ? 'btn-primary' : 'btn-ghost'}`, onclick: () => browseDialog(openFromDirectory) }, t('side.browse')),
      ),
    ),
  );
}

function renderActions() {
  const chat = state.chats.get(state.currentId);
  const bar = $('#chat-actions');
  if (!chat) return fill(bar);
  const items = [];
  if (chat.my_role) {
    items.push(h('button', { type: 'button', role: 'menuitem', onclick: () => {
      toggleMute(chat.id);
      renderActions();
      renderChatList();
    } }, isMuted(chat.id) ? t('chat.unmute') : t('chat.mute')));
  }
  if (chat.my_role) items.push(h('button', { type: 'button', role: 'menuitem', onclick: leaveChat }, chat.kind === 'direct' ? t('chat.closeConversation') : t('chat.leave')));
  if (canManage(chat) && chat.my_role) items.push(h('button', { type: 'button', role: 'menuitem', class: 'danger', onclick: deleteChat }, t('chat.deleteMenu')));
  if (!chat.my_role && state.following.has(chat.id)) items.push(h('button', { type: 'button', role: 'menuitem', onclick: stopFollowing }, t('chat.stopFollowing')));
  const menu = h('div', { class: 'menu menu-right', id: 'chat-menu', role: 'menu', hidden: true }, items);
  const more = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('chat.options'), 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': 'chat-menu' }, icon('more'));
  wireMenu(more, menu);
  fill(bar,
    // Named by what it shows ("3 members"), so voice control users can say it.
    h('button', { type: 'button', id: 'members-toggle', class: 'icon-btn members-btn', title: t('members.title'), 'aria-expanded': String(!$('#members-panel').hidden), onclick: () => toggleMembers() },
      icon('users'), h('span', { class: 'members-count' }, chat.members_count ?? ''), h('span', { class: 'sr-only' }, ` ${t('members.countWord', { count: chat.members_count ?? 0 })}`)),
    items.length ? h('span', { class: 'menu-wrap' }, more, menu) : null,
  );
}

function renderChatChrome() {
  renderHeader();
  renderActions();
  renderComposer({ onJoin: joinChat, onSignUp: guestSignUp });
  renderMembers();
}

// --- actions ---------------------------------------------------------------

async function openFromDirectory(id, chat) {
  if (chat && !state.chats.has(id)) {
    if (!chat.my_role) follow(id);
    putChat(chat);
    saveFollowing();
  }
  go(id);
}

async function joinChat() {
  const id = state.currentId;
  try {
    const chat = await chatsApi.join(id);
    unfollow(id);
    saveFollowing();
    putChat(chat);
    renderChatChrome();
    $('#composer-input').focus();
    toast(t('chat.joined', { name: chatTitle(chat) }));
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function leaveChat() {
  const chat = state.chats.get(state.currentId);
  const ok = await confirmDialog({
    title: t('chat.leaveTitle', { name: chatTitle(chat) }),
    description: chat.public ? t('chat.leavePublic') : t('chat.leavePrivate'),
    confirmLabel: t('chat.leaveConfirm'),
  });
  if (!ok) return;
  try {
    await chatsApi.leave(chat.id);
    closeChat(chat.id);
    toast(t('chat.left', { name: chatTitle(chat) }));
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function deleteChat() {
  const chat = state.chats.get(state.currentId);
  const ok = await confirmDialog({
    title: t('chat.deleteTitle', { name: chatTitle(chat) }),
    description: t('chat.deleteDescription'),
    confirmLabel: t('chat.deleteConfirm'),
  });
  if (!ok) return;
  try {
    await chatsApi.remove(chat.id);
    closeChat(chat.id);
    toast(t('chat.deleted', { name: chatTitle(chat) }));
  } catch (err) {
    toast(err.message, 'error');
  }
}

function stopFollowing() {
  const id = state.currentId;
  unfollow(id);
  saveFollowing();
  closeChat(id);
}

/** Leave the view of a chat I no longer have, without the "removed" notice. */
function closeChat(id) {
  state.currentId = null;
  location.hash = '';
  dropChat(id);
}

async function guestSignUp() {
  await logout().catch(() => {});
  selectTab('register');
}

function deleteAccountDialog() {
  const guest = currentUser()?.role === 'guest';
  const password = h('input', { id: 'delete-password', type: 'password', autocomplete: 'current-password', required: true });
  return modal({
    title: t('account.deleteTitle'),
    description: t('account.deleteDescription'),
    body: guest ? null : h('div', { class: 'field' }, h('label', { for: 'delete-password' }, t('account.confirmPassword')), password),
    submitLabel: t('account.deleteConfirm'),
    danger: true,
    onSubmit: async ({ setError }) => {
      if (!guest && !password.value) {
        setError(t('account.enterPassword'));
        return false;
      }
      try {
        await deleteAccount(password.value);
        toast(t('account.deleted'));
        return true;
      } catch (err) {
        setError(err.status === 403 ? t('account.wrongPassword') : err.message);
        password.select();
        return false;
      }
    },
  });
}

/** The account menu's language choice; the page reloads in the new language. */
function languageDialog() {
  const select = h('select', { id: 'language-select' },
    LANGUAGES.map(([code, name]) => h('option', { value: code, lang: code, selected: code === locale() }, name)));
  return modal({
    title: t('language.title'),
    description: t('language.description'),
    body: h('div', { class: 'field' }, h('label', { for: 'language-select' }, t('language.label')), select),
    submitLabel: t('language.apply'),
    onSubmit: async () => {
      setLocale(select.value);
      return true;
    },
  });
}

// --- routing -----------------------------------------------------------------

async function route() {
  if (!currentUser()) return;
  const hash = location.hash;
  const chatMatch = hash.match(/^#\/chat\/(\d+)$/);
  if (hash === '#/admin' && currentUser().role === 'admin') {
    state.currentId = null;
    showMain('admin');
    renderAdmin();
    renderChatList();
    return;
  }
  if (!chatMatch) {
    state.currentId = null;
    showMain('empty');
    renderEmpty();
    renderChatList();
    return;
  }
  const id = Number(chatMatch[1]);
  if (!state.chats.has(id)) {
    try {
      const chat = await chatsApi.get(id);
      if (!chat.my_role) follow(id);
      putChat(chat);
      saveFollowing();
    } catch {
      toast(t('chat.notFound'), 'error');
      location.hash = '';
      return;
    }
  }
  if (`#/chat/${id}` !== location.hash) return;
  state.currentId = id;
  if (!state.details.has(id)) loadDetails(id);
  showMain('chat');
  renderChatList();
  renderChatChrome();
  await openConversation(id);
  if (state.currentId === id && !$('#composer').hidden && window.matchMedia('(min-width: 721px)').matches) $('#composer-input').focus();
}

// --- session lifecycle --------------------------------------------------------

onSession(async (kind) => {
  if (kind === 'signout') {
    connection.stop();
    reset();
    showScreen('auth');
    selectTab('login');
    return;
  }
  const user = currentUser();
  const redrawMe = () => renderMe({
    onLogout: () => logout().catch(() => {}),
    onDeleteAccount: deleteAccountDialog,
    onSignUp: guestSignUp,
    onProfile: () => profileDialog().then((saved) => saved && redrawMe()),
    onPassword: passwordDialog,
    onLanguage: languageDialog,
  });
  redrawMe();
  $('#admin-link').hidden = user.role !== 'admin';
  const guest = user.role === 'guest';
  $('#new-chat').hidden = guest;
  $('#new-direct').hidden = guest;
  if (kind === 'renew') {
    connection.renew(accessToken());
    return;
  }
  reset();
  rememberUsers([user]);
  loadBlocks();
  showScreen('app');
  startNotify();
  renderConnection();
  connection.start();
  for (const id of loadFollowing()) state.following.add(id);
  try {
    await loadChats();
  } catch (err) {
    toast(err.message, 'error');
  }
  for (const id of [...state.following]) {
    if (state.chats.get(id)?.my_role) continue;
    chatsApi.get(id).then(putChat).catch(() => {
      state.following.delete(id);
      saveFollowing();
    });
  }
  route();
});

on('removed', (id) => {
  if (state.currentId === id) {
    toast(t('chat.gone'));
    location.hash = '';
  }
});
on('chats', () => {
  if (state.currentId && state.chats.has(state.currentId)) {
    renderHeader();
    renderActions();
    renderComposer({ onJoin: joinChat, onSignUp: guestSignUp });
  }
});
on('incoming', (msg) => {
  if (msg.chat_id === state.currentId) $('#announcer').textContent = `${nameOf(msg.sender)}: ${msg.body || summary(msg)}`;
});

function init() {
  translatePage();
  placeIcons();
  initAuthView();
  initSidebar();
  initConversation();
  initMembers();
  initNotify();
  initSearch(jumpTo);
  $('#new-chat').addEventListener('click', () => newChatDialog(go));
  $('#new-direct').addEventListener('click', () => directDialog(go));
  $('#browse-public').addEventListener('click', () => browseDialog(openFromDirectory));
  $('#back-button').addEventListener('click', () => {
    location.hash = '';
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', () => connection.retryNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    connection.retryNow();
    if (state.currentId && conv(state.currentId).loaded && isReading(state.currentId)) markRead(state.currentId);
  });
  refresh().then((ok) => {
    if (!ok && !currentUser()) showScreen('auth');
    if (!currentUser()) $('#login-name').focus();
  });
}

init();
