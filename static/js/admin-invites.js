// The admin view's sign-up part: the registration policy in force, and
// invites (create, copy the link, revoke).

import { invitesApi, policy } from './api.js';
import { $, h, fill, toast } from './dom.js';
import { modal } from './dialogs.js';
import { t, formatDateTime } from './i18n.js';

const DAY = 86400;
const EXPIRY = [[1, 'days'], [7, 'days'], [30, 'days'], [1, 'years']];

/** Copies `text`; falls back to selecting it in `input` for Ctrl+C. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('invites.copied'));
  } catch {
    input?.select();
    toast(t('invites.copyManually'));
  }
}

/** Shows a link to hand over, with a Copy button. */
export function showLink({ title, description, url }) {
  const input = h('input', { id: 'link-output', readonly: true, value: url, 'aria-label': t('invites.link') });
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => copyText(url, input) }, t('invites.copy'));
  return modal({ title, description, body: h('div', { class: 'field link-field' }, input, copy) });
}

function usesText(invite) {
  return invite.max_uses == null ? `${invite.uses} / ∞` : `${invite.uses} / ${invite.max_uses}`;
}

function inviteRow(invite, reload) {
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': t('invites.copyCode', { code: invite.code.slice(0, 8) }) }, t('invites.copy'));
  copy.addEventListener('click', () => copyText(invite.url));
  const revoke = h('button', { type: 'button', class: 'btn btn-danger btn-small', 'aria-label': t('invites.revokeCode', { code: invite.code.slice(0, 8) }) }, t('invites.revoke'));
  revoke.addEventListener('click', async () => {
    try {
      await invitesApi.revoke(invite.code);
      toast(t('invites.revoked'));
      reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const expired = invite.expires_at && new Date(invite.expires_at) <= new Date();
  return h('tr', { 'data-code': invite.code },
    h('td', {}, h('code', {}, `${invite.code.slice(0, 8)}…`)),
    h('td', {}, usesText(invite)),
    h('td', { class: 'muted' }, invite.expires_at ? t(expired ? 'invites.expiredAt' : 'invites.expiresAt', { when: formatDateTime(invite.expires_at) }) : t('invites.never')),
    h('td', { class: 'muted' }, invite.created_by.display_name || invite.created_by.username),
    h('td', {}, copy, ' ', revoke),
  );
}

async function loadInvites() {
  const tbody = $('#admin-invites');
  if (!tbody) return;
  try {
    const invites = await invitesApi.list();
    fill(tbody, invites.length ? invites.map((i) => inviteRow(i, loadInvites)) : h('tr', {}, h('td', { colspan: '5', class: 'muted' }, t('invites.none'))));
  } catch (err) {
    fill(tbody, h('tr', {}, h('td', { colspan: '5' }, err.message)));
  }
}

function createInviteDialog() {
  const uses = h('input', { id: 'invite-uses', type: 'number', min: '1', max: '10000', placeholder: t('invites.unlimited') });
  const expires = h('select', { id: 'invite-expires' }, ...EXPIRY.map(([n, unit]) => h('option', { value: String(n * (unit === 'years' ? 365 : 1) * DAY), selected: unit === 'days' && n === 7 }, t(`invites.${unit}`, { count: n }))));
  return modal({
    title: t('invites.new'),
    description: t('invites.newDescription'),
    submitLabel: t('invites.create'),
    body: h('div', {},
      h('div', { class: 'field' }, h('label', { for: 'invite-uses' }, t('invites.howMany')), uses),
      h('div', { class: 'field' }, h('label', { for: 'invite-expires' }, t('invites.expiresAfter')), expires),
    ),
    onSubmit: async () => {
      const body = { expires_in: Number(expires.value) };
      if (uses.value) body.max_uses = Number(uses.value);
      return invitesApi.create(body);
    },
  });
}

/** The sign-up section of the admin view. */
export function invitesSection() {
  const policyLine = h('p', { id: 'admin-policy', class: 'muted' }, t('invites.policyLoading'));
  policy()
    .then((p) => {
      policyLine.textContent = t('invites.policy', { registration: t(`invites.registration.${p.registration}`), guests: t(`invites.guests.${p.guests}`) });
    })
    .catch(() => {});
  const create = h('button', { type: 'button', class: 'btn btn-primary btn-small', id: 'new-invite' }, t('invites.new'));
  create.addEventListener('click', async () => {
    const invite = await createInviteDialog();
    if (!invite) return;
    loadInvites();
    showLink({ title: t('invites.created'), description: t('invites.createdDescription'), url: invite.url });
  });
  const section = h('section', { class: 'admin-section', 'aria-labelledby': 'invites-title' },
    h('h2', { id: 'invites-title', class: 'admin-subtitle' }, t('invites.title')),
    policyLine,
    h('p', {}, create),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'admin-table' },
        h('thead', {}, h('tr', {}, ...['invites.colCode', 'invites.colUsed', 'invites.colExpires', 'invites.colCreatedBy', null].map((key) => h('th', { scope: 'col' }, key ? t(key) : '')))),
        h('tbody', { id: 'admin-invites' }),
      ),
    ),
  );
  // Once the section is in the page: loadInvites finds its table by id.
  queueMicrotask(loadInvites);
  return section;
}
