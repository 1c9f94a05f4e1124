// Dialogs that start conversations: new group chat, direct message, and the
// directory of public chats.

import { chatsApi, currentUser } from './api.js';
import { h, fill, formatShort } from './dom.js';
import { modal, userPicker } from './dialogs.js';
import { putChat } from './store.js';

function unknownText(names) {
  return names.length === 1 ? `There is no user named “${names[0]}”.` : `There are no users named ${names.map((n) => `“${n}”`).join(', ')}.`;
}

export function newChatDialog(go) {
  const members = [];
  const chips = h('ul', { class: 'chips', 'aria-label': 'Members to add' });
  const renderChips = (unknown = []) => {
    const bad = new Set(unknown.map((n) => n.toLowerCase()));
    fill(chips, members.map((name) => h('li', { class: `chip${bad.has(name.toLowerCase()) ? ' chip-bad' : ''}` },
      h('span', {}, name),
      bad.has(name.toLowerCase()) ? h('span', { class: 'sr-only' }, ' (unknown user)') : null,
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove ${name}`, onclick: () => { members.splice(members.indexOf(name), 1); renderChips(unknown); } }, '×'),
    )));
  };
  const add = (raw) => {
    for (const name of raw.split(/[\s,]+/).map((s) => s.replace(/^@/, '')).filter(Boolean)) {
      if (!members.some((m) => m.toLowerCase() === name.toLowerCase()) && name.toLowerCase() !== currentUser()?.username.toLowerCase()) members.push(name);
    }
    picker.input.value = '';
    renderChips();
  };
  const picker = userPicker({ id: 'new-chat-members', label: 'Members', placeholder: 'Type a username', onPick: add, exclude: () => members });
  picker.input.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ',' || e.key === ' ') && !e.defaultPrevented && picker.input.value.trim()) {
      e.preventDefault();
      add(picker.input.value);
    } else if (e.key === 'Backspace' && !picker.input.value && members.length) {
      members.pop();
      renderChips();
    }
  });
  const name = h('input', { id: 'new-chat-name', maxlength: '100', required: true, placeholder: 'e.g. design-team' });
  const nameError = h('p', { class: 'field-error', id: 'new-chat-name-error' });
  name.setAttribute('aria-describedby', 'new-chat-name-error');
  const isPublic = h('input', { id: 'new-chat-public', type: 'checkbox' });
  const body = h('div', {},
    h('div', { class: 'field' }, h('label', { for: 'new-chat-name' }, 'Name'), name, nameError),
    picker.field,
    chips,
    h('p', { class: 'hint' }, 'Press Enter after each name. You can add people later too.'),
    h('div', { class: 'field check' }, isPublic, h('label', { for: 'new-chat-public' }, 'Public: anyone can find, read and join it')),
  );
  return modal({
    title: 'Create a chat',
    body,
    submitLabel: 'Create',
    onSubmit: async ({ setError }) => {
      nameError.textContent = '';
      if (picker.input.value.trim()) add(picker.input.value);
      if (!name.value.trim()) {
        nameError.textContent = 'Give the chat a name.';
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
          if (err.details.fields.name) nameError.textContent = err.details.fields.name;
          setError(Object.entries(err.details.fields).filter(([f]) => f !== 'name').map(([f, r]) => `${f}: ${r}`).join(' '));
          return false;
        }
        throw err;
      }
    },
  });
}

export function directDialog(go) {
  let picked = '';
  const picker = userPicker({ id: 'direct-user', label: 'Username', placeholder: 'Who do you want to talk to?', onPick: (n) => { picked = n; picker.input.value = n; } });
  return modal({
    title: 'Direct message',
    body: picker.field,
    submitLabel: 'Open conversation',
    onSubmit: async ({ setError }) => {
      const username = (picker.input.value.trim() || picked).replace(/^@/, '');
      if (!username) {
        setError('Type a username.');
        return false;
      }
      try {
        const chat = await chatsApi.direct(username);
        putChat(chat);
        go(chat.id);
        return chat;
      } catch (err) {
        if (err.code === 'unknown_users') setError(unknownText(err.details.usernames || [username]));
        else if (err.code === 'validation_failed') setError('That is you. Pick someone else.');
        else throw err;
        return false;
      }
    },
  });
}

export function browseDialog(go) {
  const listEl = h('ul', { class: 'directory', 'aria-label': 'Public chats' }, h('li', { class: 'muted' }, 'Loading…'));
  const filter = h('input', { id: 'browse-filter', type: 'search', placeholder: 'Filter by name' });
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
          h('span', { class: 'directory-meta' }, `${c.members_count} member${c.members_count === 1 ? '' : 's'}`, c.last_message ? ` · active ${formatShort(c.last_message.created_at)}` : '', c.my_role ? ' · joined' : ''),
        ),
        h('span', { class: 'directory-go', 'aria-hidden': 'true' }, c.my_role ? 'Open' : 'View'),
      ),
    )) : h('li', { class: 'muted' }, chats.length ? 'No public chat matches.' : 'No public chats yet.'));
  };
  filter.addEventListener('input', paint);
  chatsApi.listPublic(200).then((list) => { chats = list; paint(); }).catch((err) => fill(listEl, h('li', { class: 'muted' }, err.message)));
  const body = h('div', {}, h('div', { class: 'field' }, h('label', { for: 'browse-filter' }, 'Search'), filter), listEl);
  const p = modal({ title: 'Public chats', body, submitLabel: null, wide: true, onSubmit: async () => false });
  dlgClose = () => document.querySelector('dialog[open]')?.close();
  return p;
}
