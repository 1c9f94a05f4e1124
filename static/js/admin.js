// The admin view: sign-up (policy, invites), every user, their role,
// disabling and reset links, and deleting accounts.

import { usersApi, currentUser, updateUser } from './api.js';
import { $, h, fill, avatar, debounce, toast, icon } from './dom.js';
import { confirmDialog } from './dialogs.js';
import { invitesSection, showLink } from './admin-invites.js';
import { t, formatDateTime, formatDate } from './i18n.js';

const ROLES = ['guest', 'user', 'admin'];
let query = '';

async function load() {
  const tbody = $('#admin-users');
  if (!tbody) return;
  try {
    const users = await usersApi.search(query, 100);
    fill(tbody, users.map(row));
    $('#admin-count').textContent = t(users.length === 100 ? 'admin.usersMore' : 'admin.users', { count: users.length });
  } catch (err) {
    fill(tbody, h('tr', {}, h('td', { colspan: '6' }, err.message)));
  }
}

function row(user) {
  const me = currentUser();
  const select = h('select', { 'aria-label': t('admin.roleOf', { name: user.username }), disabled: user.id === me.id });
  for (const role of ROLES) select.append(h('option', { value: role, selected: role === user.role }, t(`role.${role}`)));
  select.addEventListener('change', async () => {
    try {
      const updated = await usersApi.setRole(user.id, select.value);
      user.role = updated.role;
      updateUser(updated);
      toast(t('admin.roleChanged', { name: user.username, role: t(`role.${updated.role}`) }));
    } catch (err) {
      select.value = user.role;
      toast(err.message, 'error');
    }
  });
  const del = h('button', { type: 'button', class: 'btn btn-danger btn-small', disabled: user.id === me.id, 'aria-label': t('admin.deleteName', { name: user.username }) }, t('common.delete'));
  del.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: t('admin.deleteTitle', { name: user.username }),
      description: t('admin.deleteDescription'),
      confirmLabel: t('admin.deleteConfirm'),
    });
    if (!ok) return;
    try {
      await usersApi.remove(user.id);
      toast(t('admin.deleted', { name: user.username }));
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const disable = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-small',
    disabled: user.id === me.id,
    'aria-label': t(user.disabled ? 'admin.enableName' : 'admin.disableName', { name: user.username }),
  }, user.disabled ? t('admin.enable') : t('admin.disable'));
  disable.addEventListener('click', async () => {
    try {
      const updated = await usersApi.setDisabled(user.id, !user.disabled);
      toast(t(updated.disabled ? 'admin.disabled' : 'admin.enabled', { name: user.username }));
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const reset = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-small',
    hidden: user.role === 'guest',
    'aria-label': t('admin.resetLinkFor', { name: user.username }),
  }, t('admin.resetLink'));
  reset.addEventListener('click', async () => {
    try {
      const link = await usersApi.resetLink(user.id);
      showLink({
        title: t('admin.resetTitle', { name: user.username }),
        description: t('admin.resetDescription', { name: user.username, until: formatDateTime(link.expires_at) }),
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
    h('td', { class: 'muted' }, user.disabled ? t('admin.statusDisabled') : t('admin.statusActive')),
    h('td', { class: 'muted' }, formatDate(user.created_at)),
    h('td', { class: 'admin-row-actions' }, disable, ' ', reset, ' ', del),
  );
}

export function renderAdmin() {
  const view = $('#admin-view');
  const search = h('input', { id: 'admin-search', type: 'search', placeholder: t('admin.searchPlaceholder'), value: query });
  search.addEventListener('input', debounce(() => {
    query = search.value.trim();
    load();
  }, 200));
  fill(view,
    h('header', { class: 'chat-head' },
      h('button', { type: 'button', class: 'icon-btn back-btn', 'aria-label': t('chat.back'), onclick: () => (location.hash = '') }, icon('back', { size: 22 })),
      h('div', { class: 'chat-head-text' }, h('h1', { id: 'admin-title', class: 'chat-title' }, t('admin.title')), h('p', { class: 'chat-subtitle', id: 'admin-count' }, '')),
    ),
    h('div', { class: 'admin-body' },
      invitesSection(),
      h('h2', { class: 'admin-subtitle' }, t('admin.usersTitle')),
      h('div', { class: 'field admin-search' }, h('label', { for: 'admin-search' }, t('admin.findUsers')), search),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'admin-table' },
          h('thead', {}, h('tr', {}, ...['admin.colUser', 'auth.email', 'admin.colRole', 'admin.colStatus', 'admin.colJoined', null].map((key) => h('th', { scope: 'col' }, key ? t(key) : '')))),
          h('tbody', { id: 'admin-users' }),
        ),
      ),
    ),
  );
  load();
}
