// What a stored message shows beyond its text: the quoted original of a
// reply, @mentions highlighted, "(edited)", the deleted placeholder,
// reactions with who reacted, and the hover menu (reply, react, edit,
// delete). Text only: bodies go in as text nodes.

import { chatsApi, currentUser } from './api.js';
import { h, toast } from './dom.js';
import { state, emit } from './store.js';
import { confirmDialog } from './dialogs.js';
import { nameTag, nameOf as shownName } from './people.js';
import { t, formatDateTime } from './i18n.js';

export const PICKER = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'];

/** Composer state other modules read: the message being replied to or edited. */
export const composing = { replyTo: null, editing: null };

let jump = () => {};
/** The conversation tells us how to jump to a message. */
export function setJumper(fn) {
  jump = fn;
}

function members(chatId) {
  return state.details.get(chatId)?.members || [];
}

/** A member's username, for matching `@name`s in bodies. */
function usernameOf(chatId, userId) {
  return members(chatId).find((u) => u.id === userId)?.username || (userId === currentUser()?.id ? currentUser().username : t('common.someone'));
}

/** A member's name as shown (display name), for who reacted. */
function displayedName(chatId, userId) {
  const member = members(chatId).find((u) => u.id === userId) || (userId === currentUser()?.id ? currentUser() : null);
  return member ? shownName(member) : t('common.someone');
}

/** The body with `@name`s of mentioned members as highlighted spans. */
export function bodyNodes(m) {
  const mentioned = new Set((m.mentions || []).map((id) => usernameOf(m.chat_id, id).toLowerCase()));
  const me = currentUser()?.username?.toLowerCase();
  if (!mentioned.size) return [m.body];
  const out = [];
  const re = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]+)/g;
  let last = 0;
  for (const match of m.body.matchAll(re)) {
    let name = match[2];
    while (name && !mentioned.has(name.toLowerCase()) && /[.-]$/.test(name)) name = name.slice(0, -1);
    if (!mentioned.has(name.toLowerCase())) continue;
    const start = match.index + match[1].length;
    out.push(m.body.slice(last, start));
    const mine = name.toLowerCase() === me;
    out.push(h('span', { class: `mention${mine ? ' mention-me' : ''}` }, `@${name}`));
    last = start + 1 + name.length;
  }
  out.push(m.body.slice(last));
  return out;
}

export function quoteBlock(m) {
  const q = m.reply_to;
  if (!q) return null;
  // The author by display name, like everywhere else (the username on hover).
  return h('button', { type: 'button', class: 'msg-quote', title: t('msg.jumpToOriginal'), onclick: () => jump(m.chat_id, q.id) },
    nameTag(q.sender, 'msg-quote-author'),
    h('span', { class: 'msg-quote-body' }, q.deleted ? t('msg.deleted') : q.body));
}

async function toggleReaction(m, emoji) {
  const mine = m.reactions.find((r) => r.emoji === emoji)?.user_ids.includes(currentUser()?.id);
  try {
    await chatsApi.react(m.chat_id, m.id, emoji, !mine);
  } catch (err) {
    toast(err.message, 'error');
  }
}

export function reactionsBar(m) {
  if (!m.reactions?.length) return null;
  const me = currentUser()?.id;
  return h('div', { class: 'reactions' }, m.reactions.map((r) => {
    const who = r.user_ids.map((id) => displayedName(m.chat_id, id)).join(', ');
    return h('button', {
      type: 'button',
      class: `reaction${r.user_ids.includes(me) ? ' mine' : ''}`,
      title: t('reaction.who', { names: who, emoji: r.emoji }),
      'aria-label': `${r.emoji} ${r.user_ids.length}, ${who}`,
      'aria-pressed': String(r.user_ids.includes(me)),
      onclick: () => toggleReaction(m, r.emoji),
    }, h('span', { class: 'reaction-emoji' }, r.emoji), h('span', { class: 'reaction-count' }, r.user_ids.length));
  }));
}

function picker(m) {
  return h('div', { class: 'picker', role: 'menu', 'aria-label': t('reaction.add') }, PICKER.map((emoji) =>
    h('button', { type: 'button', role: 'menuitem', class: 'picker-emoji', 'aria-label': t('reaction.with', { emoji }), onclick: (e) => {
      e.currentTarget.closest('.picker').remove();
      toggleReaction(m, emoji);
    } }, emoji)));
}

export function startEdit(m) {
  composing.editing = { chatId: m.chat_id, id: m.id };
  emit('messages', m.chat_id);
}

export async function deleteMessage(m) {
  const ok = await confirmDialog({ title: t('msg.deleteTitle'), description: t('msg.deleteDescription'), confirmLabel: t('common.delete') });
  if (!ok) return;
  try {
    await chatsApi.deleteMessage(m.chat_id, m.id);
  } catch (err) {
    toast(err.message, 'error');
  }
}

function mayDelete(m) {
  const me = currentUser();
  const chat = state.chats.get(m.chat_id);
  return m.sender.id === me?.id || me?.role === 'admin' || chat?.my_role === 'owner';
}

/** The hover menu of a stored, live message of a chat I can write in. */
export function actions(m) {
  const chat = state.chats.get(m.chat_id);
  const me = currentUser();
  if (m.deleted || !chat?.my_role || me?.role === 'guest') return null;
  const bar = h('div', { class: 'msg-actions' });
  bar.append(
    h('button', { type: 'button', class: 'msg-action', 'aria-label': t('reaction.addButton'), onclick: () => {
      const open = bar.querySelector('.picker');
      if (open) open.remove();
      else bar.append(picker(m));
    } }, '☺'),
    h('button', { type: 'button', class: 'msg-action', 'aria-label': t('msg.reply'), onclick: () => {
      composing.replyTo = m;
      emit('compose', m.chat_id);
    } }, '↩'),
    m.sender.id === me?.id ? h('button', { type: 'button', class: 'msg-action', 'aria-label': t('msg.edit'), onclick: () => startEdit(m) }, '✎') : null,
    mayDelete(m) ? h('button', { type: 'button', class: 'msg-action danger', 'aria-label': t('msg.delete'), onclick: () => deleteMessage(m) }, '🗑') : null,
  );
  return bar;
}

/** The inline editor replacing a message's body while it is being edited. */
export function editor(m) {
  const input = h('textarea', { class: 'msg-editor', 'aria-label': t('msg.edit'), rows: 2, maxlength: 4000 });
  input.value = m.body;
  const done = () => {
    composing.editing = null;
    emit('messages', m.chat_id);
  };
  const save = async () => {
    const body = input.value.trim();
    if (!body || body === m.body) return done();
    try {
      await chatsApi.edit(m.chat_id, m.id, body);
      done();
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      done();
    }
  });
  requestAnimationFrame(() => {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  });
  return h('div', { class: 'msg-edit' }, input, h('div', { class: 'msg-edit-hint' }, t('msg.editHint')));
}

/** The content of a stored message's row; `files` (its attachments) go under the body. */
export function messageContent(m, files = null) {
  if (m.deleted) return [h('div', { class: 'msg-body msg-deleted' }, t('msg.deleted'))];
  const editing = composing.editing?.id === m.id;
  const edited = m.edited_at ? h('span', { class: 'msg-edited', title: formatDateTime(m.edited_at) }, ` ${t('msg.edited')}`) : null;
  return [
    quoteBlock(m),
    editing ? editor(m) : m.body || edited ? h('div', { class: 'msg-body' }, bodyNodes(m), edited) : null,
    files,
    reactionsBar(m),
    editing ? null : actions(m),
  ];
}
