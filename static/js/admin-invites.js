// The admin view's sign-up part: the registration policy in force, and
// invites (create, copy the link, revoke).

import { invitesApi, policy } from './api.js';
import { $, h, fill, toast } from './dom.js';
import { modal } from './dialogs.js';

const EXPIRY = [
  ['1 day', 86400],
  ['7 days', 7 * 86400],
  ['30 days', 30 * 86400],
  ['1 year', 365 * 86400],
];

const POLICY_TEXT = {
  open: 'anyone can create an account',
  invite: 'accounts need an invite',
  closed: 'nobody can create an account',
};

/** Copies `text`; falls back to selecting it in `input` for Ctrl+C. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Link copied.');
  } catch {
    input?.select();
    toast('Press Ctrl+C to copy the selected link.');
  }
}

/** Shows a link to hand over, with a Copy button. */
export function showLink({ title, description, url }) {
  const input = h('input', { id: 'link-output', readonly: true, value: url, 'aria-label': 'Link' });
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => copyText(url, input) }, 'Copy link');
  return modal({ title, description, body: h('div', { class: 'field link-field' }, input, copy) });
}

function usesText(invite) {
  return invite.max_uses == null ? `${invite.uses} / ∞` : `${invite.uses} / ${invite.max_uses}`;
}

function inviteRow(invite, reload) {
  const copy = h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Copy invite link ${invite.code.slice(0, 8)}` }, 'Copy link');
  copy.addEventListener('click', () => copyText(invite.url));
  const revoke = h('button', { type: 'button', class: 'btn btn-danger btn-small', 'aria-label': `Revoke invite ${invite.code.slice(0, 8)}` }, 'Revoke');
  revoke.addEventListener('click', async () => {
    try {
      await invitesApi.revoke(invite.code);
      toast('Invite revoked.');
      reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const expired = invite.expires_at && new Date(invite.expires_at) <= new Date();
  return h('tr', { 'data-code': invite.code },
    h('td', {}, h('code', {}, `${invite.code.slice(0, 8)}…`)),
    h('td', {}, usesText(invite)),
    h('td', { class: 'muted' }, invite.expires_at ? `${expired ? 'expired ' : ''}${new Date(invite.expires_at).toLocaleString()}` : 'never'),
    h('td', { class: 'muted' }, invite.created_by.display_name || invite.created_by.username),
    h('td', {}, copy, ' ', revoke),
  );
}

async function loadInvites() {
  const tbody = $('#admin-invites');
  if (!tbody) return;
  try {
    const invites = await invitesApi.list();
    fill(tbody, invites.length ? invites.map((i) => inviteRow(i, loadInvites)) : h('tr', {}, h('td', { colspan: '5', class: 'muted' }, 'No invites yet.')));
  } catch (err) {
    fill(tbody, h('tr', {}, h('td', { colspan: '5' }, err.message)));
  }
}

function createInviteDialog() {
  const uses = h('input', { id: 'invite-uses', type: 'number', min: '1', max: '10000', placeholder: 'unlimited' });
  const expires = h('select', { id: 'invite-expires' }, ...EXPIRY.map(([label, secs]) => h('option', { value: String(secs), selected: secs === 7 * 86400 }, label)));
  return modal({
    title: 'New invite',
    description: 'Anyone with the link can create an account, until it expires or its uses run out.',
    submitLabel: 'Create invite',
    body: h('div', {},
      h('div', { class: 'field' }, h('label', { for: 'invite-uses' }, 'How many people (empty: no limit)'), uses),
      h('div', { class: 'field' }, h('label', { for: 'invite-expires' }, 'Expires after'), expires),
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
  const policyLine = h('p', { id: 'admin-policy', class: 'muted' }, 'Sign-up: …');
  policy()
    .then((p) => {
      policyLine.textContent = `Sign-up: ${p.registration} (${POLICY_TEXT[p.registration]}); guests ${p.guests}.`;
    })
    .catch(() => {});
  const create = h('button', { type: 'button', class: 'btn btn-primary btn-small', id: 'new-invite' }, 'New invite');
  create.addEventListener('click', async () => {
    const invite = await createInviteDialog();
    if (!invite) return;
    loadInvites();
    showLink({ title: 'Invite created', description: 'Send this link to the person you invite.', url: invite.url });
  });
  const section = h('section', { class: 'admin-section', 'aria-labelledby': 'invites-title' },
    h('h2', { id: 'invites-title', class: 'admin-subtitle' }, 'Invites'),
    policyLine,
    h('p', {}, create),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'admin-table' },
        h('thead', {}, h('tr', {}, ...['Code', 'Used', 'Expires', 'Created by', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', { id: 'admin-invites' }),
      ),
    ),
  );
  loadInvites();
  return section;
}
