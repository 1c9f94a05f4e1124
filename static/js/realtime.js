// Glue between the WebSocket and the store: incoming frames, sending with
// pending/ack/retry, and catching up with `sync` after every reconnect.

import { chatsApi, currentUser } from './api.js';
import { Connection } from './socket.js';
import {
  state, emit, conv, addMessage, loadChats, putChat, dropChat, lastId,
  onReadFrame, onTyping, loadDetails, isReading, markRead, updateMessage, onMembersChanged,
} from './store.js';
import { errorText } from './i18n.js';

const ACK_TIMEOUT = 10000;

export function createConnection({ onRevoked }) {
  const connection = new Connection({
    onState: () => emit('connection'),
    onReady,
    onFrame,
    onRevoked,
  });
  state.connection = connection;
  return connection;
}

function onReady(frame) {
  state.online = new Set(frame.online || []);
  state.online.add(currentUser()?.id);
  state.presenceMax = frame.presence_max_members ?? Infinity;
  emit('presence');
  emit('ready');
  // Catch up: the chat list (unread counts, chats added meanwhile), every
  // conversation we hold (sync), public chats we follow, unsent messages.
  loadChats().catch(() => {});
  // By version: edits, deletions and reactions missed while away come too.
  for (const [chatId, c] of state.convs) {
    if (c.loaded) state.connection.send(syncFrame(chatId, c));
  }
  for (const chatId of state.following) state.connection.send({ type: 'subscribe', chat_id: chatId });
  flushPending();
}

function syncFrame(chatId, c, version) {
  const after = version ?? c.version;
  return after
    ? { type: 'sync', chat_id: chatId, after_version: after, limit: 500 }
    : { type: 'sync', chat_id: chatId, after_id: lastId(chatId), limit: 500 };
}

function onFrame(frame) {
  switch (frame.type) {
    case 'message': {
      const msg = frame.message;
      if (!state.chats.has(msg.chat_id)) loadChats().catch(() => {});
      addMessage(msg, { live: true });
      if (isReading(msg.chat_id)) markRead(msg.chat_id);
      if (msg.sender.id !== currentUser()?.id) emit('incoming', msg);
      break;
    }
    case 'ack':
      if (frame.message) addMessage(frame.message);
      break;
    case 'message_updated':
      updateMessage(frame.message);
      break;
    case 'members_changed':
      onMembersChanged(frame);
      break;
    case 'sync_done':
      if (frame.has_more) state.connection.send(syncFrame(frame.chat_id, conv(frame.chat_id), frame.version));
      break;
    case 'typing':
      onTyping(frame);
      break;
    case 'read':
      onReadFrame(frame);
      break;
    case 'presence':
      if (frame.online) state.online.add(frame.user_id);
      else state.online.delete(frame.user_id);
      emit('presence');
      break;
    case 'presence_state':
      emit('presence_state', frame);
      break;
    case 'chat_added':
      state.following.delete(frame.chat.id);
      putChat(frame.chat);
      if (state.details.has(frame.chat.id) || frame.chat.id === state.currentId) loadDetails(frame.chat.id);
      break;
    case 'chat_removed':
      dropChat(frame.chat_id);
      break;
    case 'error':
      onErrorFrame(frame);
      break;
    default:
      break;
  }
}

function onErrorFrame(frame) {
  for (const c of state.convs.values()) {
    const p = c.pending.find((x) => x.client_id === frame.ref);
    if (p) {
      p.status = 'failed';
      p.error = errorText({ code: frame.code, details: frame.details, serverMessage: frame.message || frame.code });
      // A refused message (too long, not a member) would be refused again.
      p.final = !['rate_limited', 'internal'].includes(frame.code);
      clearTimeout(p.timer);
      emit('messages', p.chat_id);
      return;
    }
  }
  emit('socket-error', frame);
}

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Show a message at once as pending and send it over the socket. */
export function sendMessage(chatId, body, attachments = [], replyTo = null) {
  const c = conv(chatId);
  const p = { client_id: newClientId(), chat_id: chatId, body, attachments, reply_to: replyTo, status: 'sending', created_at: new Date().toISOString() };
  c.pending.push(p);
  emit('messages', chatId);
  transmit(p);
}

function transmit(p) {
  clearTimeout(p.timer);
  p.status = 'sending';
  p.final = false;
  const attachments = p.attachments.map((a) => a.id);
  const frame = { type: 'send', chat_id: p.chat_id, body: p.body, client_id: p.client_id, attachments, ref: p.client_id };
  if (p.reply_to) frame.reply_to = p.reply_to;
  const sent = state.connection?.send(frame);
  if (!sent) {
    // Not connected: it goes out (over REST, idempotent by client_id) once we are.
    p.status = 'queued';
    emit('messages', p.chat_id);
    return;
  }
  p.timer = setTimeout(() => {
    if (conv(p.chat_id).pending.includes(p)) {
      p.status = 'failed';
      emit('messages', p.chat_id);
    }
  }, ACK_TIMEOUT);
}

/** Send again with the same client_id: the server stores it at most once. */
export async function retry(p) {
  clearTimeout(p.timer);
  p.status = 'sending';
  emit('messages', p.chat_id);
  try {
    addMessage(await chatsApi.send(p.chat_id, p.body, p.client_id, p.attachments.map((a) => a.id), p.reply_to));
  } catch (err) {
    p.status = 'failed';
    p.error = err.message;
    p.final = err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 401;
    emit('messages', p.chat_id);
  }
}

export function discard(p) {
  clearTimeout(p.timer);
  const c = conv(p.chat_id);
  c.pending = c.pending.filter((x) => x !== p);
  emit('messages', p.chat_id);
}

function flushPending() {
  for (const c of state.convs.values()) {
    for (const p of [...c.pending]) if (!p.final) retry(p);
  }
}

let lastTypingSent = 0;

export function sendTyping(chatId) {
  if (Date.now() - lastTypingSent < 3000) return;
  lastTypingSent = Date.now();
  state.connection?.send({ type: 'typing', chat_id: chatId });
}

/** Follow a public chat without joining (guests, and users looking around). */
export function follow(chatId) {
  state.following.add(chatId);
  state.connection?.send({ type: 'subscribe', chat_id: chatId });
}

export function unfollow(chatId) {
  state.following.delete(chatId);
  state.connection?.send({ type: 'unsubscribe', chat_id: chatId });
}
