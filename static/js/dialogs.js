// Modal dialogs built on <dialog>: focus is trapped, Escape closes.

import { h, fill, debounce } from './dom.js';
import { usersApi, currentUser } from './api.js';
import { t } from './i18n.js';

/** Open a modal with a form; resolves when it closes. */
export function modal({ title, description, body, submitLabel, danger = false, onSubmit, wide = false }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const error = h('p', { class: 'form-error', role: 'alert' });
    // Without a submitLabel the dialog only shows things: one Close button.
    const submit = submitLabel ? h('button', { class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, type: 'submit' }, submitLabel) : null;
    const form = h(
      'form',
      { class: 'form', method: 'dialog', novalidate: true },
      h('header', { class: 'dialog-head' },
        h('h2', { id: titleId }, title),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('common.close'), onclick: () => dlg.close() }, '×'),
      ),
      description ? h('p', { class: 'dialog-desc' }, description) : null,
      body,
      error,
      h('footer', { class: 'dialog-foot' },
        h('button', { class: `btn ${submit ? 'btn-ghost' : 'btn-primary'}`, type: 'button', onclick: () => dlg.close() }, submit ? t('common.cancel') : t('common.close')),
        submit,
      ),
    );
    const dlg = h('dialog', { class: `dialog${wide ? ' dialog-wide' : ''}`, 'aria-labelledby': titleId }, form);
    let result = null;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      if (!submit) return;
      submit.disabled = true;
      try {
        result = await onSubmit({ form, setError: (msg) => (error.textContent = msg) });
        if (result !== undefined && result !== false) dlg.close();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('input, textarea, select');
    (first || submit || form.querySelector('button')).focus();
  });
}

export function confirmDialog({ title, description, confirmLabel, danger = true }) {
  return modal({ title, description, submitLabel: confirmLabel, danger, body: null, onSubmit: async () => true }).then(Boolean);
}

/**
 * A username input with suggestions from user search, as an ARIA combobox.
 * onPick(username) is called when a suggestion is chosen.
 */
export function userPicker({ id, label, placeholder, onPick, exclude = () => [] }) {
  const listId = `${id}-list`;
  const input = h('input', {
    id, autocomplete: 'off', spellcheck: 'false', placeholder, role: 'combobox',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
  });
  const listbox = h('ul', { class: 'suggestions', id: listId, role: 'listbox', hidden: true });
  let options = [];
  let active = -1;
  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (i) => {
    active = i;
    [...listbox.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) input.setAttribute('aria-activedescendant', `${listId}-${i}`);
  };
  const choose = (name) => {
    close();
    onPick(name);
  };
  const search = debounce(async () => {
    const q = input.value.trim();
    if (!q) return close();
    try {
      const users = await usersApi.search(q, 8);
      const skip = new Set([currentUser()?.username.toLowerCase(), ...exclude().map((u) => u.toLowerCase())]);
      options = users.filter((u) => !skip.has(u.username.toLowerCase()));
    } catch {
      options = [];
    }
    if (input.value.trim() !== q) return;
    fill(listbox, options.map((u, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); choose(u.username); },
    }, u.username)));
    listbox.hidden = options.length === 0;
    input.setAttribute('aria-expanded', String(options.length > 0));
    highlight(-1);
  }, 150);
  input.addEventListener('input', search);
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      listbox.hidden = false;
      highlight((active + 1) % options.length);
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      highlight((active - 1 + options.length) % options.length);
    } else if (e.key === 'Escape' && !listbox.hidden) {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0 && !listbox.hidden) {
      e.preventDefault();
      choose(options[active].username);
    }
  });
  const field = h('div', { class: 'field combo' }, h('label', { for: id }, label), input, listbox);
  return { field, input, close };
}
