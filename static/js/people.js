// People: display names and avatars as the UI shows them (the username on
// hover), the profile and password dialogs, and the caller's block list.

import { api, accessToken, currentUser, updateUser, ApiError } from './api.js';
import { h, avatar, toast } from './dom.js';
import { modal } from './dialogs.js';
import { t, fieldText } from './i18n.js';

/** What we know of each user's profile, by id (from members lists and me). */
const profiles = new Map();
const blocked = new Set();

export function rememberUsers(users) {
  for (const u of users || []) profiles.set(u.id, { username: u.username, display_name: u.display_name ?? null, avatar_url: u.avatar_url ?? null });
}

/** Whether we have `id`'s profile (display name) from some members list. */
export const knows = (id) => profiles.has(id);

function profileOf(user) {
  return { ...user, ...(profiles.get(user?.id) || {}) };
}

/** The name shown for a user: the display name, else the username. */
export function nameOf(user) {
  const p = profileOf(user);
  return p.display_name || p.username || '?';
}

/** The user's avatar (its picture when it has one, else the initial). */
export function faceOf(user, opts = {}) {
  const p = profileOf(user);
  return avatar(nameOf(p), { ...opts, url: p.avatar_url });
}

/** The name as an element whose tooltip is the username. */
export function nameTag(user, cls = '') {
  const p = profileOf(user);
  return h('span', { class: cls, title: p.display_name ? `@${p.username}` : null }, nameOf(p));
}

export const isBlocked = (id) => blocked.has(id);

export async function loadBlocks() {
  blocked.clear();
  try {
    for (const u of await api('GET', '/users/me/blocks')) blocked.add(u.id);
  } catch {
    /* shown as not blocked; the server still enforces it */
  }
}

export async function setBlocked(user, on) {
  await api(on ? 'PUT' : 'DELETE', `/users/me/blocks/${user.id}`);
  if (on) blocked.add(user.id);
  else blocked.delete(user.id);
  toast(on ? t('block.blocked', { name: nameOf(user) }) : t('block.unblocked', { name: nameOf(user) }));
}

async function uploadImage(file) {
  const body = new FormData();
  body.append('file', file);
  const res = await fetch('/api/v1/uploads', { method: 'POST', body, headers: { Authorization: `Bearer ${accessToken()}` } });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export function profileDialog() {
  const me = currentUser();
  const name = h('input', { id: 'profile-name', maxlength: '64', value: me.display_name || '', placeholder: me.username });
  const preview = h('img', { id: 'avatar-preview', class: 'avatar-preview', alt: t('profile.preview'), width: '96', height: '96', hidden: !me.avatar_url, src: me.avatar_url || null });
  const file = h('input', { id: 'profile-avatar', type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  let removeAvatar = false;
  const remove = h('button', { type: 'button', class: 'btn btn-ghost btn-small', hidden: !me.avatar_url }, t('profile.removePicture'));
  remove.addEventListener('click', () => {
    removeAvatar = true;
    file.value = '';
    preview.hidden = true;
    remove.hidden = true;
  });
  // The preview shows the centred square the server will keep.
  file.addEventListener('change', () => {
    const picked = file.files[0];
    if (!picked) return;
    removeAvatar = false;
    const reader = new FileReader();
    reader.onload = () => {
      preview.src = reader.result;
      preview.hidden = false;
    };
    reader.readAsDataURL(picked);
  });
  return modal({
    title: t('profile.title'),
    submitLabel: t('profile.save'),
    body: h('div', {},
      h('div', { class: 'field' }, h('label', { for: 'profile-name' }, t('profile.displayName')), name,
        h('p', { class: 'hint' }, t('profile.displayNameHint', { username: me.username }))),
      h('div', { class: 'field' }, h('label', { for: 'profile-avatar' }, t('profile.picture')), file,
        h('div', { class: 'avatar-edit' }, preview, remove)),
    ),
    onSubmit: async ({ setError }) => {
      const patch = { display_name: name.value.trim() || null };
      try {
        if (file.files[0]) patch.avatar_upload_id = (await uploadImage(file.files[0])).id;
        else if (removeAvatar) patch.avatar_upload_id = null;
        const user = await api('PATCH', '/users/me', patch);
        updateUser(user);
        rememberUsers([user]);
        toast(t('profile.saved'));
        return user;
      } catch (err) {
        const fields = err.details?.fields;
        setError(fields ? Object.entries(fields).map(([f, r]) => fieldText(f, r)).join(' ') : err.message);
        return false;
      }
    },
  });
}

export function passwordDialog() {
  const current = h('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password' });
  return modal({
    title: t('password.title'),
    description: t('password.description'),
    submitLabel: t('password.title'),
    body: h('div', {},
      h('div', { class: 'field' }, h('label', { for: 'pw-current' }, t('password.current')), current),
      h('div', { class: 'field' }, h('label', { for: 'pw-new' }, t('auth.newPassword')), next,
        h('p', { class: 'hint' }, t('auth.passwordHint'))),
    ),
    onSubmit: async ({ setError }) => {
      try {
        await api('PUT', '/users/me/password', { current_password: current.value, new_password: next.value });
        toast(t('password.changed'));
        return true;
      } catch (err) {
        if (err.status === 403) setError(t('password.wrong'));
        else setError(err.details?.fields?.new_password ? `${t('auth.newPassword')}: ${fieldText('new_password', err.details.fields.new_password)}` : err.message);
        return false;
      }
    },
  });
}
