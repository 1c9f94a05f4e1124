// Dialogs that start conversations: new group chat, direct message, and the
// directory of public chats.

import { chatsApi, currentUser } from './api.js';
import { h, fill, formatShort } from './dom.js';
import { modal, userPicker } from './dialogs.js';
import { putChat } from './store.js';
import { t, fieldText } from './i18n.js';

function unknownText(names) {
  return names.length === 1 ? t('users.unknownOne', { name: names[0] }) : t('users.unknownMany', { names: names.map((n) => `“${n}”`).join(', ') });
}

export function newChatDialog(go) {
  const members = [];
  const chips = h('ul', { class: 'chips', 'aria-label': t('newChat.membersToAdd') });
  const renderChips = (unknown = []) => {
    const bad = new Set(unknown.map((n) => n.toLowerCase()));
    fill(chips, members.map((name) => h('li', { class: `chip${bad.has(name.toLowerCase()) ? ' chip-bad' : ''}` },
      h('span', {}, name),
      bad.has(name.toLowerCase()) ? h('span', { class: 'sr-only' }, ` ${t('newChat.unknownUser')}`) : null,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': t('members.remove', { name }), onclick: () => { members.splice(members.indexOf(name), 1); renderChips(unknown); } }, '×'),
    )));
  };
  const add = (raw) => {
    for (const name of raw.split(/[\s,]+/).map((s) => s.replace(/^@/, '')).filter(Boolean)) {
      if (!members.some((m) => m.toLowerCase() === name.toLowerCase()) && name.toLowerCase() !== currentUser()?.username.toLowerCase()) members.push(name);
    }
    picker.input.value = '';
    renderChips();
  };
  const picker = userPicker({ id: 'new-chat-members', label: t('members.title'), placeholder: t('newChat.typeUsername'), onPick: add, exclude: () => members });
  picker.input.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ',' || e.key === ' ') && !e.defaultPrevented && picker.input.value.trim()) {
      e.preventDefault();
      add(picker.input.value);
    } else if (e.key === 'Backspace' && !picker.input.value && members.length) {
      members.pop();
      renderChips();
    }
  });
  const name = h('input', { id: 'new-chat-name', maxlength: '100', required: true, placeholder: t('newChat.namePlaceholder') });
  const nameError = h('p', { class: 'field-error', id: 'new-chat-name-error' });
  name.setAttribute('aria-describedby', 'new-chat-name-error');
  const isPublic = h('input', { id: 'new-chat-public', type: 'checkbox' });
  const body = h('div', {},
    h('div', { class: 'field' }, h('label', { for: 'new-chat-name' }, t('newChat.name')), name, nameError),
    picker.field,
    chips,
    h('p', { class: 'hint' }, t('newChat.hint')),
    h('div', { class: 'field check' }, isPublic, h('label', { for: 'new-chat-public' }, t('newChat.public'))),
  );
  return modal({
    title: t('newChat.title'),
    body,
    submitLabel: t('newChat.create'),
    onSubmit: async ({ setError }) => {
      nameError.textContent = '';
      if (picker.input.value.trim()) add(picker.input.value);
      if (!name.value.trim()) {
        nameError.textContent = t('newChat.needName');
        name.focus();
        return false;
      }
      try {
        const chat = await chatsApi.create(name.value.trim(), [...members], isPublic.checked);
        putChat(chat);
        go(chat.id);
        return chat;
      } catch (err) {
        if (err.code === 'unknown_users') {
          const names = err.details.usernames || [];
          renderChips(names);
          setError(unknownText(names));
          picker.input.focus();
          return false;
        }
        if (err.code === 'validation_failed' && err.details.fields) {
          if (err.details.fields.name) nameError.textContent = fieldText('name', err.details.fields.name);
          setError(Object.entries(err.details.fields).filter(([f]) => f !== 'name').map(([f, r]) => `${f}: ${fieldText(f, r)}`).join(' '));
          return false;
        }
        throw err;
      }
    },
  });
}

export function directDialog(go) {
  let picked = '';
  const picker = userPicker({ id: 'direct-user', label: t('auth.username'), placeholder: t('direct.placeholder'), onPick: (n) => { picked = n; picker.input.value = n; } });
  return modal({
    title: t('side.direct'),
    body: picker.field,
    submitLabel: t('direct.open'),
    onSubmit: async ({ setError }) => {
      const username = (picker.input.value.trim() || picked).replace(/^@/, '');
      if (!username) {
        setError(t('direct.needName'));
        return false;
      }
      try {
        const chat = await chatsApi.direct(username);
        putChat(chat);
        go(chat.id);
        return chat;
      } catch (err) {
        if (err.code === 'unknown_users') setError(unknownText(err.details.usernames || [username]));
        else if (err.code === 'validation_failed') setError(t('direct.self'));
        else throw err;
        return false;
      }
    },
  });
}

export function browseDialog(go) {
  const listEl = h('ul', { class: 'directory', 'aria-label': t('browse.title') }, h('li', { class: 'muted' }, t('common.loading')));
  const filter = h('input', { id: 'browse-filter', type: 'search', placeholder: t('browse.filter') });
  let chats = [];
  let dlgClose = null;
  const paint = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = chats.filter((c) => c.name.toLowerCase().includes(q));
    fill(listEl, shown.length ? shown.map((c) => h('li', {},
      h('button', { type: 'button', class: 'directory-item', onclick: () => { go(c.id, c); dlgClose(); } },
        h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, '#'),
        h('span', { class: 'directory-text' },
          h('span', { class: 'directory-name' }, c.name),
          h('span', { class: 'directory-meta' }, t('members.count', { count: c.members_count }), c.last_message ? ` · ${t('browse.active', { when: formatShort(c.last_message.created_at) })}` : '', c.my_role ? ` · ${t('browse.joined')}` : ''),
        ),
        h('span', { class: 'directory-go', 'aria-hidden': 'true' }, c.my_role ? t('browse.open') : t('browse.view')),
      ),
    )) : h('li', { class: 'muted' }, chats.length ? t('browse.noMatch') : t('browse.none')));
  };
  filter.addEventListener('input', paint);
  chatsApi.listPublic(200).then((list) => { chats = list; paint(); }).catch((err) => fill(listEl, h('li', { class: 'muted' }, err.message)));
  const body = h('div', {}, h('div', { class: 'field' }, h('label', { for: 'browse-filter' }, t('browse.search')), filter), listEl);
  const p = modal({ title: t('browse.title'), body, submitLabel: null, wide: true, onSubmit: async () => false });
  dlgClose = () => document.querySelector('dialog[open]')?.close();
  return p;
}
