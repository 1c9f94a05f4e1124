// The open chat: message timeline (grouped by sender and day), loading older
// messages on scroll-up without a jump, pending sends, typing, the composer.

import { currentUser } from './api.js';
import { $, h, fill, avatar, formatTime, formatDay, dayKey, icon, toast } from './dom.js';
import {
  state, on, conv, loadRecent, loadOlder, chatTitle, directPeer, typingNames,
  markRead, setReadingProbe, isReading, loadAround, backToLatest,
} from './store.js';
import { sendMessage, sendTyping, retry, discard } from './realtime.js';
import { faceOf, nameTag, nameOf } from './people.js';
import { messageContent, composing, setJumper, startEdit } from './message-view.js';
import { initMentions } from './mentions.js';
import { attachmentsBlock } from './files.js';
import { initUploadTray, render as renderTray, takeUploads, trayBusy } from './upload-tray.js';
import { initVoice } from './voice.js';
import { t } from './i18n.js';

const GROUP_GAP_MS = 5 * 60 * 1000;
const list = () => $('#messages');

let renderQueued = false;
let firstPaint = false;

function atBottom() {
  const el = list();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
}

function seenLabels(chatId, messages) {
  const marks = state.seen.get(chatId);
  const byMessage = new Map();
  if (!marks || !messages.length) return byMessage;
  const members = state.details.get(chatId)?.members || [];
  for (const [userId, markId] of marks) {
    const target = [...messages].reverse().find((m) => m.id <= markId);
    if (!target) continue;
    const member = members.find((u) => u.id === userId);
    const name = member ? nameOf(member) : t('common.someone');
    if (!byMessage.has(target.id)) byMessage.set(target.id, []);
    byMessage.get(target.id).push(name);
  }
  return byMessage;
}

function messageRow(m, { pending = null } = {}) {
  const mentionsMe = !pending && m.mentions?.includes(currentUser()?.id);
  const row = h('div', { class: `msg${pending ? ` pending ${pending.status}` : ''}${mentionsMe ? ' mentions-me' : ''}${m.deleted ? ' deleted' : ''}`, 'data-id': m.id ?? null, 'data-client-id': m.client_id || null });
  const files = attachmentsBlock(m.attachments);
  if (pending) {
    if (m.body) row.append(h('div', { class: 'msg-body' }, m.body));
    if (files) row.append(files);
  } else {
    row.append(...messageContent(m, files).filter(Boolean));
  }
  row.append(h('time', { class: 'msg-hover-time', datetime: m.created_at }, formatTime(m.created_at)));
  if (pending) {
    const status = h('div', { class: 'msg-status' });
    if (pending.status === 'failed') {
      status.append(
        h('span', { class: 'msg-failed' }, pending.error ? t('msg.notSentBecause', { error: pending.error }) : t('msg.notSent')),
        h('button', { type: 'button', class: 'link-btn', onclick: () => retry(pending) }, t('common.retry')),
        h('button', { type: 'button', class: 'link-btn', onclick: () => discard(pending) }, t('msg.discard')),
      );
    } else {
      status.append(pending.status === 'queued' ? t('msg.queued') : t('msg.sending'));
    }
    row.append(status);
  }
  return row;
}

function buildTimeline(chatId) {
  const c = conv(chatId);
  const me = currentUser();
  const items = [];
  const chat = state.chats.get(chatId);
  if (c.loaded && !c.hasMore) {
    items.push(
      h('div', { class: 'timeline-start' },
        h('div', { class: 'timeline-start-icon', 'aria-hidden': 'true' }, icon(chat?.kind === 'direct' ? 'mail' : chat?.public ? 'hash' : 'lock', { size: 28 })),
        h('h2', {}, chat?.kind === 'direct' ? t('timeline.directStart', { name: chatTitle(chat) }) : t('timeline.welcome', { name: chatTitle(chat) })),
        h('p', {}, chat?.kind === 'direct' ? t('timeline.directNote') : t('timeline.start')),
      ),
    );
  } else if (c.hasMore) {
    items.push(h('div', { class: 'timeline-loading' }, c.loaded ? t('timeline.loadingOlder') : t('timeline.loading')));
  }
  const all = [
    ...c.messages.map((m) => ({ m })),
    ...c.pending.map((p) => ({ m: { body: p.body, attachments: p.attachments, created_at: p.created_at, sender: me, client_id: p.client_id }, p })),
  ];
  const seen = seenLabels(chatId, c.messages);
  let prev = null;
  let group = null;
  for (const { m, p } of all) {
    if (!prev || dayKey(prev.created_at) !== dayKey(m.created_at)) {
      items.push(h('div', { class: 'day-sep', role: 'separator' }, h('span', {}, formatDay(m.created_at))));
      group = null;
    }
    const sameSender = group && prev.sender.id === m.sender.id && new Date(m.created_at) - new Date(prev.created_at) < GROUP_GAP_MS;
    if (!sameSender) {
      const body = h('div', { class: 'msg-group-body' },
        h('div', { class: 'msg-head' },
          nameTag(m.sender, 'msg-author'),
          h('time', { class: 'msg-time', datetime: m.created_at }, formatTime(m.created_at)),
        ),
      );
      group = h('div', { class: `msg-group${m.sender.id === me?.id ? ' mine' : ''}` }, faceOf(m.sender), body);
      items.push(group);
    }
    const row = messageRow(m, { pending: p });
    group.lastChild.append(row);
    const names = m.id ? seen.get(m.id) : null;
    if (names) group.lastChild.append(h('div', { class: 'seen' }, t('timeline.seenBy', { names: names.join(', ') })));
    prev = m;
  }
  if (c.loaded && !all.length) {
    items.push(h('div', { class: 'timeline-empty' }, t('timeline.empty')));
  }
  return items;
}

/** Re-render the open chat's timeline, keeping the reader's place. */
export function renderMessages({ keepOffsetFromBottom = false } = {}) {
  const chatId = state.currentId;
  if (!chatId) return;
  const el = list();
  const wasAtBottom = firstPaint || atBottom();
  const fromBottom = el.scrollHeight - el.scrollTop;
  fill(el, buildTimeline(chatId));
  if (keepOffsetFromBottom) el.scrollTop = el.scrollHeight - fromBottom;
  else if (wasAtBottom) el.scrollTop = el.scrollHeight;
  if (conv(chatId).loaded) firstPaint = false;
  const detached = conv(chatId).detached;
  $('#jump-latest').textContent = detached ? t('chat.jumpLatest') : t('chat.newMessages');
  $('#jump-latest').hidden = !detached && (atBottom() || !(state.chats.get(chatId)?.unread > 0));
  if (isReading(chatId)) markRead(chatId);
}

function queueRender(chatId) {
  if (chatId !== state.currentId || renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderMessages();
  });
}

function renderTyping(chatId) {
  if (chatId !== state.currentId) return;
  const names = typingNames(chatId);
  const el = $('#typing');
  if (!names.length) {
    el.textContent = '';
    return;
  }
  const text = names.length === 1 ? t('typing.one', { name: names[0] })
    : names.length === 2 ? t('typing.two', { a: names[0], b: names[1] }) : t('typing.several');
  fill(el, h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), text);
}

export function renderHeader() {
  const chat = state.chats.get(state.currentId);
  if (!chat) return;
  $('#chat-title').textContent = chatTitle(chat);
  if (chat.kind === 'direct') {
    const peer = directPeer(chat);
    fill($('#chat-title-icon'), peer ? faceOf(peer, { size: 'sm' }) : avatar(chat.name, { size: 'sm' }));
  } else {
    fill($('#chat-title-icon'), icon(chat.public ? 'hash' : 'lock', { size: 18, label: chat.public ? t('chat.publicLabel') : t('chat.privateLabel') }));
  }
  const sub = $('#chat-subtitle');
  if (chat.kind === 'direct') {
    const peer = directPeer(chat);
    const online = peer && state.online.has(peer.id);
    fill(sub, h('span', { class: `presence ${online ? 'on' : 'off'}`, 'aria-hidden': 'true' }), online ? t('chat.online') : t('chat.offline'));
  } else {
    const members = chat.members_count ?? state.details.get(chat.id)?.members_count;
    fill(sub, members == null ? '…' : t('members.count', { count: members }), ' · ', chat.public ? t('chat.public') : t('chat.private'), chat.my_role ? '' : ` · ${t('chat.notMember')}`);
  }
}

/** The composer, or what replaces it for readers who may not write here. */
export function renderComposer({ onJoin, onSignUp }) {
  const chat = state.chats.get(state.currentId);
  const user = currentUser();
  const composer = $('#composer');
  const alt = $('#composer-alt');
  const canWrite = chat?.my_role && user?.role !== 'guest';
  composer.hidden = !canWrite;
  alt.hidden = !!canWrite;
  renderTray();
  if (canWrite) {
    $('#composer-input').placeholder = t('chat.messageTo', { name: `${chat.kind === 'direct' ? '' : chat.public ? '#' : ''}${chatTitle(chat)}` });
    return;
  }
  if (user?.role === 'guest') {
    fill(alt, h('p', {}, `${t('chat.guestReading')} `), h('button', { type: 'button', class: 'btn btn-primary', onclick: onSignUp }, t('chat.guestSignUp')));
  } else {
    fill(alt, h('p', {}, `${t('chat.previewing', { name: chatTitle(chat) })} `), h('button', { type: 'button', class: 'btn btn-primary', onclick: onJoin }, t('chat.join')));
  }
}

let pendingJump = null;

/** Show message `mid` of chat `chatId` in context: open the chat, load around it, scroll, flash. */
export async function jumpTo(chatId, mid) {
  if (state.currentId !== chatId) {
    pendingJump = { chatId, mid };
    location.hash = `#/chat/${chatId}`;
    return;
  }
  try {
    if (!(await loadAround(chatId, mid))) return;
  } catch {
    return;
  }
  renderMessages();
  const row = list().querySelector(`.msg[data-id="${mid}"]`);
  if (!row) return;
  row.scrollIntoView({ block: 'center' });
  row.classList.add('flash');
  setTimeout(() => row.classList.remove('flash'), 2000);
}

function renderReplyBar() {
  const bar = $('#reply-bar');
  const m = composing.replyTo;
  if (!m || m.chat_id !== state.currentId) {
    bar.hidden = true;
    return;
  }
  bar.hidden = false;
  fill(bar,
    h('span', { class: 'reply-bar-text' }, `${t('reply.replyingTo')} `, nameTag(m.sender, 'reply-bar-author'), ': ', m.body.slice(0, 200)),
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('reply.cancel'), onclick: () => {
      composing.replyTo = null;
      renderReplyBar();
    } }, '×'));
}

export async function openConversation(chatId) {
  firstPaint = true;
  fill(list(), h('div', { class: 'timeline-loading' }, t('timeline.loading')));
  $('#typing').textContent = '';
  renderHeader();
  renderMessages();
  try {
    await loadRecent(chatId);
  } catch {
    if (state.currentId === chatId) fill(list(), h('div', { class: 'timeline-empty' }, t('timeline.loadFailed')));
    return;
  }
  if (state.currentId !== chatId) return;
  renderMessages();
  renderReplyBar();
  if (pendingJump?.chatId === chatId) {
    const { mid } = pendingJump;
    pendingJump = null;
    await jumpTo(chatId, mid);
    return;
  }
  fillViewport(chatId);
}

/** Keep loading older pages while the timeline does not fill the screen. */
async function fillViewport(chatId) {
  const el = list();
  while (state.currentId === chatId && el.scrollHeight <= el.clientHeight + 10 && conv(chatId).hasMore) {
    if (!(await loadOlder(chatId))) break;
    renderMessages({ keepOffsetFromBottom: true });
  }
}

async function onScroll() {
  const chatId = state.currentId;
  if (!chatId) return;
  const el = list();
  if (atBottom()) {
    $('#jump-latest').hidden = true;
    if (isReading(chatId)) markRead(chatId);
  }
  const c = conv(chatId);
  if (el.scrollTop < 200 && c.loaded && c.hasMore && !c.older) {
    const added = await loadOlder(chatId);
    if (added && state.currentId === chatId) renderMessages({ keepOffsetFromBottom: true });
  }
}

function autosize(input) {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

export function initConversation() {
  setReadingProbe(() => atBottom());
  on('messages', queueRender);
  on('typing', renderTyping);
  on('presence', renderHeader);
  on('details', (id) => id === state.currentId && (renderHeader(), queueRender(id)));
  on('incoming', (msg) => {
    if (msg.chat_id === state.currentId && !atBottom()) $('#jump-latest').hidden = false;
  });
  list().addEventListener('scroll', onScroll, { passive: true });
  $('#jump-latest').addEventListener('click', async () => {
    const chatId = state.currentId;
    if (conv(chatId).detached) {
      await backToLatest(chatId);
      renderMessages();
    }
    list().scrollTop = list().scrollHeight;
    markRead(chatId);
  });
  setJumper(jumpTo);
  on('compose', () => {
    renderReplyBar();
    $('#composer-input').focus();
  });
  window.addEventListener('focus', () => state.currentId && isReading(state.currentId) && markRead(state.currentId));
  initUploadTray();
  initVoice();

  const input = $('#composer-input');
  const submit = () => {
    const chatId = state.currentId;
    const body = input.value.trim();
    if (!chatId) return;
    if (trayBusy(chatId)) {
      toast(t('upload.wait'));
      return;
    }
    const files = takeUploads(chatId);
    if (!body && !files.length) return;
    const reply = composing.replyTo?.chat_id === chatId ? composing.replyTo.id : null;
    composing.replyTo = null;
    renderReplyBar();
    sendMessage(chatId, body, files, reply);
    input.value = '';
    autosize(input);
    requestAnimationFrame(() => {
      list().scrollTop = list().scrollHeight;
    });
  };
  $('#composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    input.focus();
  });
  initMentions(input);
  input.addEventListener('keydown', (e) => {
    if (e.defaultPrevented) return;
    if (e.key === 'ArrowUp' && !input.value && state.currentId) {
      // ↑ in an empty composer edits my last message.
      const me = currentUser()?.id;
      const mine = [...conv(state.currentId).messages].reverse().find((m) => m.sender.id === me && !m.deleted);
      if (mine) {
        e.preventDefault();
        startEdit(mine);
      }
      return;
    }
    if (e.key === 'Escape' && composing.replyTo) {
      composing.replyTo = null;
      renderReplyBar();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    autosize(input);
    if (input.value.trim() && state.currentId) sendTyping(state.currentId);
  });
}
