// `@` autocompletion in the composer: members of the open chat whose name
// starts with what follows the `@` before the caret. ↑/↓ move, Enter or Tab
// pick, Escape closes.

import { currentUser } from './api.js';
import { $, h, fill } from './dom.js';
import { state } from './store.js';

let open = [];
let active = 0;
let target = null;

/** The `@prefix` just before the caret, if any. */
function prefixAtCaret(input) {
  const upto = input.value.slice(0, input.selectionStart);
  const m = upto.match(/(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,32})$/);
  return m ? { start: upto.length - m[2].length, prefix: m[2] } : null;
}

function close() {
  open = [];
  $('#mention-list').hidden = true;
}

function render() {
  const box = $('#mention-list');
  if (!open.length) return close();
  box.hidden = false;
  fill(box, open.map((u, i) => h('li', {
    role: 'option',
    id: `mention-opt-${u.id}`,
    class: `mention-opt${i === active ? ' active' : ''}`,
    'aria-selected': String(i === active),
    onmousedown: (e) => {
      e.preventDefault();
      pick(u);
    },
  }, `@${u.username}`)));
}

function pick(user) {
  const input = target;
  const at = prefixAtCaret(input);
  if (!at) return close();
  const before = input.value.slice(0, at.start);
  const after = input.value.slice(input.selectionStart);
  input.value = `${before}${user.username} ${after}`;
  const caret = before.length + user.username.length + 1;
  input.setSelectionRange(caret, caret);
  close();
  input.dispatchEvent(new Event('input'));
}

function update(input) {
  const at = prefixAtCaret(input);
  const members = state.details.get(state.currentId)?.members || [];
  if (!at) return close();
  const lower = at.prefix.toLowerCase();
  const me = currentUser()?.id;
  open = members
    .filter((u) => u.id !== me && u.username.toLowerCase().startsWith(lower))
    .sort((a, b) => a.username.localeCompare(b.username))
    .slice(0, 8);
  active = 0;
  render();
}

export function initMentions(input) {
  target = input;
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'mention-list');
  input.addEventListener('input', () => update(input));
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (!open.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : open.length - 1)) % open.length;
      render();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(open[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
}
