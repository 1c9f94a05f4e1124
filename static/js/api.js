// REST client and session. The access token lives only in this module's
// memory; the refresh token is an HttpOnly cookie the browser sends to
// /api/v1/auth on its own, so a reload signs back in through /refresh.

import { errorText } from './i18n.js';

/**
 * A refused or failed request. `message` is what the user is shown, in the
 * UI's language (see errorText); `serverMessage` is the server's own words.
 */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    const code = body?.error?.code || (status ? 'http' : 'network');
    const details = body?.error?.details || {};
    const serverMessage = body?.error?.message || (status ? `HTTP ${status}` : null);
    super(errorText({ status, code, details, serverMessage, retryAfter }));
    this.status = status;
    this.code = code;
    this.details = details;
    this.serverMessage = serverMessage;
    this.retryAfter = retryAfter;
  }
}

let session = null; // {token, user, expiresAt}
let refreshTimer = null;
let refreshing = null;
const listeners = new Set();

export const currentUser = () => session?.user ?? null;
export const accessToken = () => session?.token ?? null;
export const tokenExpiresAt = () => session?.expiresAt ?? 0;

/** fn(kind, session): kind is 'signin', 'renew' or 'signout'. */
export function onSession(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify(kind) {
  for (const fn of listeners) fn(kind, session);
}

async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session && !path.startsWith('/auth/')) headers.Authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data, Number(res.headers.get('Retry-After')) || null);
  return data;
}

function adopt(body) {
  const previous = session;
  session = {
    token: body.access_token,
    user: body.user,
    expiresAt: Date.now() + body.expires_in * 1000,
  };
  // Renew a quarter of the lifetime (at most a minute) before expiry.
  const lead = Math.min(60, body.expires_in / 4) * 1000;
  scheduleRefresh(Math.max(1000, body.expires_in * 1000 - lead));
  notify(previous && previous.user.id === body.user.id ? 'renew' : 'signin');
}

function scheduleRefresh(ms) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh(), ms);
}

function dropSession() {
  clearTimeout(refreshTimer);
  if (!session) return;
  session = null;
  notify('signout');
}

// Refresh tokens rotate and a reused one revokes the whole family, so two
// tabs must never refresh at the same moment with the same cookie.
function withLock(fn) {
  return navigator.locks?.request ? navigator.locks.request('microchat-refresh', fn) : fn();
}

/**
 * Trade the refresh cookie for a new access token. Resolves true on success;
 * false when the server said no (then the session is gone) or was unreachable
 * (then the session stays and another try is scheduled).
 */
export function refresh() {
  if (!refreshing) {
    refreshing = withLock(async () => {
      try {
        adopt(await call('POST', '/auth/refresh'));
        return true;
      } catch (err) {
        if (err.status === 401) dropSession();
        else if (session) scheduleRefresh(5000);
        return false;
      }
    }).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** An authenticated request; refreshes first when the token is about to expire and once after a 401. */
export async function api(method, path, body) {
  if (session && Date.now() > session.expiresAt - 3000) await refresh();
  const token = session?.token;
  try {
    return await call(method, path, body);
  } catch (err) {
    if (err.status === 401 && token && (await refresh())) return call(method, path, body);
    throw err;
  }
}

export async function login(loginName, password) {
  adopt(await call('POST', '/auth/login', { login: loginName, password }));
}

export async function register(username, email, password, invite) {
  await call('POST', '/auth/register', { username, email, password, ...(invite ? { invite } : {}) });
  await login(username, password);
}

/** `{registration, guests}`: which sign-up screen to show. */
export const policy = () => call('GET', '/auth/policy');

export const resetPassword = (token, newPassword) => call('POST', '/auth/reset', { token, new_password: newPassword });

export async function guest() {
  adopt(await call('POST', '/auth/guest'));
}

export async function logout() {
  try {
    await call('POST', '/auth/logout');
  } finally {
    dropSession();
  }
}

export async function deleteAccount(password) {
  await api('DELETE', '/users/me', currentUser()?.role === 'guest' ? undefined : { password });
  dropSession();
}

/** Keep the displayed user in step (e.g. after a role change). */
export function updateUser(user) {
  if (session && session.user.id === user.id) session.user = { ...session.user, ...user };
}

export const chatsApi = {
  list: () => api('GET', '/chats'),
  listPublic: (limit = 100, offset = 0) => api('GET', `/chats/public?limit=${limit}&offset=${offset}`),
  get: (id) => api('GET', `/chats/${id}`),
  create: (name, members, isPublic) => api('POST', '/chats', { name, members, public: isPublic }),
  direct: (username) => api('POST', '/chats/direct', { username }),
  join: (id) => api('POST', `/chats/${id}/join`),
  leave: (id) => api('POST', `/chats/${id}/leave`),
  remove: (id) => api('DELETE', `/chats/${id}`),
  addMember: (id, username) => api('POST', `/chats/${id}/members`, { username }),
  removeMember: (id, username) => api('DELETE', `/chats/${id}/members/${encodeURIComponent(username)}`),
  messages: (id, before) => api('GET', `/chats/${id}/messages?limit=50${before ? `&before=${before}` : ''}`),
  send: (id, body, clientId, attachments = [], replyTo = null) => api('POST', `/chats/${id}/messages`, { body, client_id: clientId, attachments, reply_to: replyTo ?? undefined }),
  around: (id, mid, limit = 50) => api('GET', `/chats/${id}/messages?around=${mid}&limit=${limit}`),
  edit: (id, mid, body) => api('PATCH', `/chats/${id}/messages/${mid}`, { body }),
  deleteMessage: (id, mid) => api('DELETE', `/chats/${id}/messages/${mid}`),
  react: (id, mid, emoji, add) => api(add ? 'PUT' : 'DELETE', `/chats/${id}/messages/${mid}/reactions/${encodeURIComponent(emoji)}`),
  search: (q, { chatId, before, limit = 30 } = {}) => api('GET', `/search/messages?q=${encodeURIComponent(q)}&limit=${limit}${chatId ? `&chat_id=${chatId}` : ''}${before ? `&before=${before}` : ''}`),
  read: (id, messageId) => api('POST', `/chats/${id}/read`, { message_id: messageId }),
};

export const usersApi = {
  search: (q, limit = 8) => api('GET', `/users?q=${encodeURIComponent(q)}&limit=${limit}`),
  setRole: (id, role) => api('PUT', `/users/${id}/role`, { role }),
  remove: (id) => api('DELETE', `/users/${id}`),
  setDisabled: (id, disabled) => api('PUT', `/users/${id}/disabled`, { disabled }),
  resetLink: (id) => api('POST', `/users/${id}/reset-link`),
};

export const invitesApi = {
  list: () => api('GET', '/invites'),
  create: (body) => api('POST', '/invites', body),
  revoke: (code) => api('DELETE', `/invites/${encodeURIComponent(code)}`),
};
