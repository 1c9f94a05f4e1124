// The members panel of the open chat: who is in it and online; owners (and
// admins) add and remove people.

import { chatsApi, currentUser } from './api.js';
import { $, h, fill, avatar, toast, icon } from './dom.js';
import { userPicker, confirmDialog } from './dialogs.js';
import { faceOf, nameTag, nameOf, isBlocked, setBlocked } from './people.js';
import { state, on, emit, loadDetails, putChat } from './store.js';
import { t } from './i18n.js';

let open = false;
// A large chat (more members than `ready.presence_max_members`) gets no
// presence frames: its list asks with `presence_query` (at most 200 ids a
// frame) on opening and then this often while it stays open; answers go
// into the same online set the frames keep.
const PRESENCE_EVERY = 30000;
const PER_QUERY = 200;
let presenceTimer = null;
let askedAt = 0;
const asked = new Map(); // ref -> ids asked about
let nextRef = 0;

const isLarge = (chat) => !!chat && chat.kind !== 'direct' && (chat.members_count ?? 0) > state.presenceMax;

function queryPresence(ids) {
  for (let i = 0; i < ids.length; i += PER_QUERY) {
    const chunk = ids.slice(i, i + PER_QUERY);
    const ref = `presence-${++nextRef}`;
    if (state.connection?.send({ type: 'presence_query', user_ids: chunk, ref })) asked.set(ref, chunk);
  }
}

function onPresenceState(frame) {
  const ids = asked.get(frame.ref);
  if (!ids) return;
  asked.delete(frame.ref);
  const online = new Set(frame.online || []);
  for (const id of ids) {
    if (online.has(id)) state.online.add(id);
    else state.online.delete(id);
  }
  emit('presence');
}

// `soon`: a refresh of the details (members joining) asks at most every 5 s.
function askPresence(soon) {
  const chat = state.chats.get(state.currentId);
  const details = state.details.get(state.currentId);
  if (!open || !details || !isLarge(chat)) return;
  if (soon === true && Date.now() - askedAt < 5000) return;
  askedAt = Date.now();
  queryPresence(details.members.map((m) => m.id));
}

export function canManage(chat) {
  return chat?.my_role === 'owner' || currentUser()?.role === 'admin';
}

export function toggleMembers(force) {
  open = force ?? !open;
  const panel = $('#members-panel');
  panel.hidden = !open;
  document.querySelector('#members-toggle')?.setAttribute('aria-expanded', String(open));
  clearInterval(presenceTimer);
  if (open && state.currentId) {
    renderMembers();
    loadDetails(state.currentId);
    askedAt = 0;
    presenceTimer = setInterval(() => askPresence(), PRESENCE_EVERY);
  }
}

export function renderMembers() {
  if (!open) return;
  const chatId = state.currentId;
  const chat = state.chats.get(chatId);
  const details = state.details.get(chatId);
  const panel = $('#members-panel');
  const me = currentUser();
  const manage = canManage(chat) && chat.kind !== 'direct';
  const members = [...(details?.members || [])].sort((a, b) =>
    Number(state.online.has(b.id)) - Number(state.online.has(a.id)) || a.username.localeCompare(b.username));
  const error = h('p', { class: 'field-error', role: 'alert' });
  // A refresh (details, presence) must not eat what the owner is typing.
  const typing = $('#add-member');
  const typed = typing ? { value: typing.value, focused: document.activeElement === typing, error: panel.querySelector('.members-add .field-error')?.textContent || '' } : null;
  let addField = null;
  if (manage) {
    const picker = userPicker({
      id: 'add-member', label: t('members.add'), placeholder: t('auth.username'),
      exclude: () => members.map((m) => m.username),
      onPick: (name) => add(name),
    });
    const add = async (name) => {
      const username = name.trim().replace(/^@/, '');
      if (!username) return;
      error.textContent = '';
      try {
        await chatsApi.addMember(chatId, username);
        const input = $('#add-member');
        if (input) input.value = '';
        // The answer is the chat without its member list: fetch that.
        await loadDetails(chatId);
        toast(t('members.added', { name: username }));
        renderMembers();
        $('#add-member')?.focus();
      } catch (err) {
        error.textContent = err.code === 'unknown_users' ? t('users.unknownOne', { name: username }) : err.message;
      }
    };
    picker.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.defaultPrevented) {
        e.preventDefault();
        add(picker.input.value);
      }
    });
    addField = h('div', { class: 'members-add' }, picker.field, error);
  }
  const remove = async (user) => {
    const ok = await confirmDialog({ title: t('members.removeTitle', { name: nameOf(user) }), description: t('members.removeDescription', { name: nameOf(user) }), confirmLabel: t('members.removeConfirm') });
    if (!ok) return;
    try {
      await chatsApi.removeMember(chatId, user.username);
      await loadDetails(chatId);
      renderMembers();
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  fill(panel,
    h('header', { class: 'panel-head' },
      h('h2', {}, `${t('members.title')}${details ? ` · ${details.members_count ?? members.length}` : ''}`),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('members.close'), onclick: () => toggleMembers(false) }, '×'),
    ),
    addField,
    details ? h('ul', { class: 'member-list' }, members.map((m) => h('li', { class: 'member' },
      faceOf(m, { size: 'sm', online: state.online.has(m.id) }),
      h('span', { class: 'member-name' }, nameTag(m), m.id === me?.id ? h('span', { class: 'muted' }, ` ${t('members.you')}`) : null),
      (m.chat_role ? m.chat_role === 'owner' : m.id === details.owner_id) ? h('span', { class: 'tag' }, t('members.owner')) : null,
      m.id !== me?.id && me?.role !== 'guest' && chat?.kind !== 'direct' ? h('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('members.message', { name: nameOf(m) }), title: t('side.direct'), onclick: () => openDirect(m.username) }, icon('mail', { size: 15 })) : null,
      m.id !== me?.id && me?.role !== 'guest' ? blockButton(m) : null,
      manage && m.id !== me?.id ? h('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('members.remove', { name: nameOf(m) }), title: t('members.removeTitleShort'), onclick: () => remove(m) }, '×') : null,
    ))) : h('p', { class: 'muted' }, t('common.loading')),
  );
  const input = $('#add-member');
  if (typed && input) {
    input.value = typed.value;
    error.textContent = typed.error;
    if (typed.focused) input.focus();
  }
}

function blockButton(user) {
  const on = isBlocked(user.id);
  return h('button', {
    type: 'button',
    class: 'icon-btn small',
    'aria-label': t(on ? 'block.unblockName' : 'block.blockName', { name: nameOf(user) }),
    title: on ? t('block.unblock') : t('block.blockTitle'),
    'aria-pressed': String(on),
    onclick: async () => {
      try {
        await setBlocked(user, !on);
        renderMembers();
      } catch (err) {
        toast(err.message, 'error');
      }
    },
  }, on ? '⊘' : '⦸');
}

async function openDirect(username) {
  try {
    const chat = await chatsApi.direct(username);
    putChat(chat);
    location.hash = `#/chat/${chat.id}`;
  } catch (err) {
    toast(err.message, 'error');
  }
}

export function initMembers() {
  $('#members-panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      toggleMembers(false);
      $('#members-toggle')?.focus();
    }
  });
  on('details', (id) => {
    if (id !== state.currentId) return;
    renderMembers();
    askPresence(true);
  });
  on('ready', () => askPresence());
  on('presence_state', onPresenceState);
  on('presence', () => document.activeElement?.id !== 'add-member' && renderMembers());
}
