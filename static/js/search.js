// The search panel: results across my chats, newest first, with the
// matched words marked; a result opens its chat at the message.

import { chatsApi } from './api.js';
import { $, h, fill, formatShort } from './dom.js';
import { state, chatTitle, loadDetails } from './store.js';
import { nameTag, knows } from './people.js';
import { t } from './i18n.js';

// Chats whose members list a search asks for, at most, to show its
// authors' display names (message senders carry only the username).
const MAX_LOOKUPS = 5;

let jump = () => {};
let seq = 0;

/** The body with `matches` (offsets in code points) as <mark>s, as text nodes. */
export function marked(body, matches) {
  const chars = Array.from(body);
  const out = [];
  let at = 0;
  for (const [start, end] of matches) {
    out.push(chars.slice(at, start).join(''));
    out.push(h('mark', {}, chars.slice(start, end).join('')));
    at = end;
  }
  out.push(chars.slice(at).join(''));
  return out;
}

function result({ message: m, matches }) {
  const chat = state.chats.get(m.chat_id);
  return h('li', {}, h('button', {
    type: 'button',
    class: 'search-hit',
    'data-id': m.id,
    onclick: () => {
      close();
      jump(m.chat_id, m.id);
    },
  },
  h('span', { class: 'search-hit-head' }, h('strong', {}, chat ? chatTitle(chat) : t('search.chatN', { id: m.chat_id })), ' · ', nameTag(m.sender, 'search-hit-author'), ` · ${formatShort(m.created_at)}`),
  h('span', { class: 'search-hit-body' }, marked(m.body, matches))));
}

async function run() {
  const q = $('#search-input').value.trim();
  const mine = ++seq;
  if (!q) {
    fill($('#search-results'));
    $('#search-status').textContent = '';
    return;
  }
  $('#search-status').textContent = t('search.searching');
  try {
    const hits = await chatsApi.search(q);
    if (mine !== seq) return;
    fill($('#search-results'), hits.map(result));
    $('#search-status').textContent = hits.length ? t('search.results', { count: hits.length }) : t('search.none');
    // Authors we know no display name of: their chats' member lists tell.
    const chats = [...new Set(hits.filter((hit) => !knows(hit.message.sender.id)).map((hit) => hit.message.chat_id))].slice(0, MAX_LOOKUPS);
    if (chats.length) {
      await Promise.all(chats.map((id) => loadDetails(id)));
      if (mine === seq) fill($('#search-results'), hits.map(result));
    }
  } catch (err) {
    if (mine === seq) $('#search-status').textContent = err.message;
  }
}

export function open() {
  $('#search-panel').hidden = false;
  $('#open-search').setAttribute('aria-expanded', 'true');
  $('#search-input').focus();
}

export function close() {
  $('#search-panel').hidden = true;
  $('#open-search').setAttribute('aria-expanded', 'false');
}

export function initSearch(jumpTo) {
  jump = jumpTo;
  let timer = null;
  $('#open-search').addEventListener('click', () => ($('#search-panel').hidden ? open() : close()));
  $('#search-close').addEventListener('click', close);
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  $('#search-input').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  $('#search-input').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
}
