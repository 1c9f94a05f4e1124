// The admin view: sign-up (policy, invites), every user, their role,
// disabling and reset links, and deleting accounts.

import { usersApi, currentUser, updateUser } from './api.js';
import { $, h, fill, avatar, debounce, toast, icon } from './dom.js';
import { confirmDialog } from './dialogs.js';
import { invitesSection, showLink } from './admin-invites.js';

const ROLES = ['guest', 'user', 'admin'];
let query = '';

async function load() {
  const tbody = $('#admin-users');
  if (!tbody) return;
  try {
    const users = await usersApi.search(query, 100);
    fill(tbody, users.map(row));
    $('#admin-count').textContent = `${users.length}${users.length === 100 ? '+' : ''} user${users.length === 1 ? '' : 's'}`;
  } catch (err) {
    fill(tbody, h('tr', {}, h('td', { colspan: '6' }, err.message)));
  }
}

function row(user) {
  const me = currentUser();
  const select = h('select', { 'aria-label': `Role of ${user.username}`, disabled: user.id === me.id });
  for (const role of ROLES) select.append(h('option', { value: role, selected: role === user.role }, role));
  select.addEventListener('change', async () => {
    try {
      const updated = await usersApi.setRole(user.id, select.value);
      user.role = updated.role;
      updateUser(updated);
      toast(`${user.username} is now ${updated.role}.`);
    } catch (err) {
      select.value = user.role;
      toast(err.message, 'error');
    }
  });
  const del = h('button', { type: 'button', class: 'btn btn-danger btn-small', disabled: user.id === me.id, 'aria-label': `Delete ${user.username}` }, 'Delete');
  del.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: `Delete ${user.username}?`,
      description: 'Their messages and memberships are deleted and their sessions end. This cannot be undone.',
      confirmLabel: 'Delete user',
    });
    if (!ok) return;
    try {
      await usersApi.remove(user.id);
      toast(`${user.username} was deleted.`);
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const disable = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-small',
    disabled: user.id === me.id,
    'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.username}`,
  }, user.disabled ? 'Enable' : 'Disable');
  disable.addEventListener('click', async () => {
    try {
      const updated = await usersApi.setDisabled(user.id, !user.disabled);
      toast(`${user.username} is ${updated.disabled ? 'disabled: signed out everywhere' : 'enabled again'}.`);
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const reset = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-small',
    hidden: user.role === 'guest',
    'aria-label': `Reset link for ${user.username}`,
  }, 'Reset link');
  reset.addEventListener('click', async () => {
    try {
      const link = await usersApi.resetLink(user.id);
      showLink({
        title: `Password reset for ${user.username}`,
        description: `Hand this one-time link to ${user.username} yourself. It works once, until ${new Date(link.expires_at).toLocaleString()}.`,
        url: link.url,
      });
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  return h('tr', { class: user.disabled ? 'is-disabled' : '' },
    h('td', {}, h('span', { class: 'admin-user' }, avatar(user.username, { size: 'sm' }), h('span', {}, user.username))),
    h('td', { class: 'muted' }, user.email || '—'),
    h('td', {}, select),
    h('td', { class: 'muted' }, user.disabled ? 'disabled' : 'active'),
    h('td', { class: 'muted' }, new Date(user.created_at).toLocaleDateString()),
    h('td', { class: 'admin-row-actions' }, disable, ' ', reset, ' ', del),
  );
}

export function renderAdmin() {
  const view = $('#admin-view');
  const search = h('input', { id: 'admin-search', type: 'search', placeholder: 'Username starts with…', value: query });
  search.addEventListener('input', debounce(() => {
    query = search.value.trim();
    load();
  }, 200));
  fill(view,
    h('header', { class: 'chat-head' },
      h('button', { type: 'button', class: 'icon-btn back-btn', 'aria-label': 'Back to chats', onclick: () => (location.hash = '') }, icon('back', { size: 22 })),
      h('div', { class: 'chat-head-text' }, h('h1', { id: 'admin-title', class: 'chat-title' }, 'Administration'), h('p', { class: 'chat-subtitle', id: 'admin-count' }, '')),
    ),
    h('div', { class: 'admin-body' },
      invitesSection(),
      h('h2', { class: 'admin-subtitle' }, 'Users'),
      h('div', { class: 'field admin-search' }, h('label', { for: 'admin-search' }, 'Find users'), search),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'admin-table' },
          h('thead', {}, h('tr', {}, ...['User', 'Email', 'Role', 'Status', 'Joined', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', { id: 'admin-users' }),
        ),
      ),
    ),
  );
  load();
}
