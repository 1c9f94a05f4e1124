// Client state: chats, loaded conversations, pending sends, presence,
// typing and read markers. Views subscribe with on(topic, fn) and re-render;
// every mutation goes through here so messages are deduplicated by id.

import { rememberUsers, nameOf } from './people.js';
import { chatsApi, currentUser } from './api.js';

export const state = {
  chats: new Map(), // id -> chat object (mine, plus public chats I follow)
  details: new Map(), // id -> chat with members
  convs: new Map(), // id -> conversation
  currentId: null,
  online: new Set(),
  presenceMax: Infinity, // chats with more members get no presence frames
  typing: new Map(), // chatId -> Map(userId -> {username, until})
  seen: new Map(), // chatId -> Map(userId -> messageId)
  following: new Set(), // public chats followed without being a member
  connection: null,
};

const listeners = new Map();

export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
}

export function emit(topic, arg) {
  for (const fn of listeners.get(topic) || []) fn(arg);
}

export function reset() {
  state.chats.clear();
  state.details.clear();
  state.convs.clear();
  state.currentId = null;
  state.online.clear();
  state.typing.clear();
  state.seen.clear();
  state.following.clear();
}

const me = () => currentUser();

// --- chats -------------------------------------------------------------

export function activity(chat) {
  return chat.last_message?.created_at || chat.created_at || '';
}

/** My chats, most recent activity first. */
export function sortedChats() {
  return [...state.chats.values()]
    .filter((c) => c.my_role)
    .sort((a, b) => activity(b).localeCompare(activity(a)) || b.id - a.id);
}

export function followedChats() {
  return [...state.following].map((id) => state.chats.get(id)).filter((c) => c && !c.my_role);
}

/** How a chat is called for me: a direct chat by the other person's name. */
export function chatTitle(chat) {
  if (!chat) return '';
  if (chat.kind === 'direct') {
    const other = directPeer(chat);
    if (other) return other.display_name || other.username;
  }
  return chat.name;
}

export function directPeer(chat) {
  const members = state.details.get(chat.id)?.members;
  return members?.find((m) => m.id !== me()?.id) || null;
}

export function putChat(chat) {
  const old = state.chats.get(chat.id);
  // A chat object from the server may be older than a message we already have.
  if (old?.last_message && (!chat.last_message || chat.last_message.id < old.last_message.id)) {
    chat = { ...chat, last_message: old.last_message };
  }
  state.chats.set(chat.id, chat);
  if (chat.members) state.details.set(chat.id, chat);
  else if (chat.kind === 'direct' && !state.details.has(chat.id)) loadDetails(chat.id);
  emit('chats');
}

export async function loadDetails(id) {
  try {
    const chat = await chatsApi.get(id);
    state.details.set(id, chat);
    rememberUsers(chat.members);
    const known = state.chats.get(id);
    if (known) state.chats.set(id, { ...known, members_count: chat.members_count, my_role: chat.my_role, owner_id: chat.owner_id, name: chat.name });
    emit('chats');
    emit('details', id);
    return chat;
  } catch {
    return null;
  }
}

export async function loadChats() {
  const list = await chatsApi.list();
  const keep = new Set(list.map((c) => c.id));
  for (const [id, chat] of state.chats) {
    if (!keep.has(id) && (chat.my_role || !state.following.has(id))) state.chats.delete(id);
  }
  for (const chat of list) {
    state.following.delete(chat.id);
    putChat(chat);
  }
  emit('chats');
}

export function dropChat(id) {
  state.chats.delete(id);
  state.details.delete(id);
  state.convs.delete(id);
  state.following.delete(id);
  emit('chats');
  if (state.currentId === id) emit('removed', id);
}

// --- conversations -------------------------------------------------------

export function conv(chatId) {
  let c = state.convs.get(chatId);
  if (!c) {
    c = { messages: [], ids: new Set(), loaded: false, loading: false, hasMore: true, pending: [], readSent: 0, version: 0, detached: false };
    state.convs.set(chatId, c);
  }
  return c;
}

export const lastId = (chatId) => {
  const list = conv(chatId).messages;
  return list.length ? list[list.length - 1].id : 0;
};

/** Insert one stored message: deduplicated by id, kept in id order. Returns true if new. */
export function addMessage(msg, { live = false } = {}) {
  const c = conv(msg.chat_id);
  const mine = msg.sender?.id === me()?.id;
  if (mine && msg.client_id) {
    const i = c.pending.findIndex((p) => p.client_id === msg.client_id);
    if (i >= 0) c.pending.splice(i, 1);
  }
  const chat = state.chats.get(msg.chat_id);
  if (chat && (!chat.last_message || chat.last_message.id < msg.id)) {
    chat.last_message = msg;
    if (live && !mine && !isReading(msg.chat_id)) {
      chat.unread = (chat.unread || 0) + 1;
      if (msg.mentions?.includes(me()?.id)) chat.mentions = (chat.mentions || 0) + 1;
    }
    emit('chats');
  }
  if (msg.version > (c.version || 0)) c.version = msg.version;
  if (c.ids.has(msg.id)) {
    // A newer state of a message we hold (edit, deletion, reactions).
    const at = c.messages.findIndex((m) => m.id === msg.id);
    if (at >= 0 && (c.messages[at].version || 0) <= (msg.version || 0)) c.messages[at] = msg;
    emit('messages', msg.chat_id);
    return false;
  }
  // Looking at older history (after a jump): newer messages wait for "latest".
  if (c.detached && c.messages.length && msg.id > c.messages[c.messages.length - 1].id) {
    emit('messages', msg.chat_id);
    return true;
  }
  if (c.loaded || c.loading) {
    c.ids.add(msg.id);
    const list = c.messages;
    if (!list.length || list[list.length - 1].id < msg.id) list.push(msg);
    else {
      const at = list.findIndex((m) => m.id > msg.id);
      list.splice(at, 0, msg);
    }
  }
  clearTyping(msg.chat_id, msg.sender?.id);
  emit('messages', msg.chat_id);
  return true;
}

export async function loadRecent(chatId) {
  const c = conv(chatId);
  if (c.loaded || c.loading) return;
  c.loading = true;
  try {
    const list = await chatsApi.messages(chatId);
    for (const m of list) addMessage(m);
    c.hasMore = list.length >= 50;
    c.loaded = true;
  } finally {
    c.loading = false;
    emit('messages', chatId);
  }
}

/** A message's current state changed (edit, deletion, reactions). */
export function updateMessage(msg) {
  const c = conv(msg.chat_id);
  if (msg.version > (c.version || 0)) c.version = msg.version;
  const at = c.messages.findIndex((m) => m.id === msg.id);
  if (at >= 0 && (c.messages[at].version || 0) <= msg.version) c.messages[at] = msg;
  const chat = state.chats.get(msg.chat_id);
  if (chat?.last_message?.id === msg.id) {
    chat.last_message = msg;
    emit('chats');
  }
  emit('messages', msg.chat_id);
}

/**
 * Show history around message `mid`: at once when it is loaded, else the
 * page around it replaces the timeline ("detached" until back to latest).
 */
export async function loadAround(chatId, mid) {
  const c = conv(chatId);
  if (c.ids.has(mid)) return true;
  const list = await chatsApi.around(chatId, mid, 50);
  if (!list.some((m) => m.id === mid)) return false;
  c.messages = list;
  c.ids = new Set(list.map((m) => m.id));
  c.hasMore = true;
  c.loaded = true;
  c.detached = true;
  emit('messages', chatId);
  return true;
}

/** Back from a jump: the newest page again. */
export async function backToLatest(chatId) {
  const c = conv(chatId);
  c.messages = [];
  c.ids = new Set();
  c.loaded = false;
  c.detached = false;
  c.hasMore = true;
  await loadRecent(chatId);
}

/** Who joined or left, and who owns the chat now. */
export function onMembersChanged({ chat_id, members_count, owner_id, added, removed }) {
  const chat = state.chats.get(chat_id);
  if (chat) state.chats.set(chat_id, { ...chat, members_count, owner_id });
  const details = state.details.get(chat_id);
  if (details?.members) {
    const gone = new Set(removed);
    const members = details.members.filter((m) => !gone.has(m.id));
    for (const user of added) {
      if (!members.some((m) => m.id === user.id)) members.push({ ...user, chat_role: 'member' });
    }
    for (const m of members) m.chat_role = m.id === owner_id ? 'owner' : 'member';
    state.details.set(chat_id, { ...details, members, members_count, owner_id });
  }
  emit('chats');
  emit('details', chat_id);
}

/** Fetch the 50 messages before the oldest loaded one. Returns how many came. */
export async function loadOlder(chatId) {
  const c = conv(chatId);
  if (!c.loaded || c.older || !c.hasMore || !c.messages.length) return 0;
  c.older = true;
  try {
    const list = await chatsApi.messages(chatId, c.messages[0].id);
    c.hasMore = list.length >= 50;
    const fresh = list.filter((m) => !c.ids.has(m.id));
    for (const m of fresh) c.ids.add(m.id);
    c.messages = [...fresh, ...c.messages];
    emit('messages', chatId);
    return fresh.length;
  } finally {
    c.older = false;
  }
}

// --- reading -------------------------------------------------------------

let readingProbe = () => false;

/** The conversation view tells the store whether the user is looking at the bottom of a chat. */
export function setReadingProbe(fn) {
  readingProbe = fn;
}

export function isReading(chatId) {
  return state.currentId === chatId && document.visibilityState === 'visible' && readingProbe(chatId);
}

/** Move my read marker to the newest loaded message. */
export function markRead(chatId) {
  const chat = state.chats.get(chatId);
  const c = conv(chatId);
  const newest = lastId(chatId);
  if (!chat?.my_role || !newest) return;
  if (chat.unread || chat.mentions) {
    chat.unread = 0;
    chat.mentions = 0;
    emit('chats');
  }
  if (newest <= c.readSent) return;
  c.readSent = newest;
  const sent = state.connection?.send({ type: 'read', chat_id: chatId, message_id: newest });
  if (!sent) chatsApi.read(chatId, newest).catch(() => {});
}

export function onReadFrame({ chat_id, user_id, message_id }) {
  if (user_id === me()?.id) {
    // Another of my sessions read this chat.
    const c = conv(chat_id);
    c.readSent = Math.max(c.readSent, message_id);
    const chat = state.chats.get(chat_id);
    if (chat) {
      chat.unread = c.loaded ? c.messages.filter((m) => m.id > message_id && m.sender.id !== user_id).length : chat.last_message && chat.last_message.id > message_id ? chat.unread : 0;
      emit('chats');
    }
    return;
  }
  if (!state.seen.has(chat_id)) state.seen.set(chat_id, new Map());
  const marks = state.seen.get(chat_id);
  if ((marks.get(user_id) || 0) < message_id) marks.set(user_id, message_id);
  emit('messages', chat_id);
}

// --- typing --------------------------------------------------------------

export function onTyping({ chat_id, user }) {
  if (!user || user.id === me()?.id) return;
  if (!state.typing.has(chat_id)) state.typing.set(chat_id, new Map());
  state.typing.get(chat_id).set(user.id, { username: nameOf(user), until: Date.now() + 6000 });
  emit('typing', chat_id);
  setTimeout(() => emit('typing', chat_id), 6100);
}

function clearTyping(chatId, userId) {
  if (state.typing.get(chatId)?.delete(userId)) emit('typing', chatId);
}

export function typingNames(chatId) {
  const now = Date.now();
  return [...(state.typing.get(chatId)?.values() || [])].filter((t) => t.until > now).map((t) => t.username);
}
