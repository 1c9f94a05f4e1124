// The sign-in / sign-up screen.

import { login, register, guest, policy, resetPassword, currentUser } from './api.js';
import { $ } from './dom.js';

const FIELD_LABELS = { username: 'Username', email: 'Email', password: 'Password', invite: 'Invite code' };

// Why the server refused a sign-up or sign-in (`details.reason` of a 403).
const REASONS = {
  registration_closed: 'New accounts are not open on this server. Ask an administrator.',
  invite_required: 'This server is invite-only: enter your invite code.',
  invite_unknown: 'This invite code is not valid. Check it, or ask for a new one.',
  invite_expired: 'This invite has expired. Ask for a new one.',
  invite_used_up: 'This invite has been used up. Ask for a new one.',
  guests_disabled: 'Guest access is off on this server.',
  disabled: 'This account has been disabled by an administrator.',
};
const INVITE_REASONS = new Set(['invite_required', 'invite_unknown', 'invite_expired', 'invite_used_up']);

let serverPolicy = { registration: 'open', guests: 'on' };
let resetToken = null;

function clearErrors(form) {
  for (const el of form.querySelectorAll('[data-error]')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showFieldError(form, field, message) {
  const slot = form.querySelector(`[data-error="${field}"]`) || form.querySelector('[data-error="form"]');
  slot.textContent = slot.dataset.error === 'form' && FIELD_LABELS[field] ? `${FIELD_LABELS[field]}: ${message}` : message;
  const input = form.elements[field];
  if (input) input.setAttribute('aria-invalid', 'true');
}

function describe(err) {
  if (err.code === 'rate_limited') return `Too many attempts. Try again in ${err.retryAfter || 60} seconds.`;
  if (err.code === 'network') return 'Cannot reach the server. Check your connection and try again.';
  return err.message;
}

async function busy(form, fn) {
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => (b.disabled = true));
  try {
    await fn();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

/** Shows what the server's registration policy allows. */
function applyPolicy() {
  const closed = serverPolicy.registration === 'closed';
  $('#tab-register').hidden = closed;
  $('#registration-closed').hidden = !closed;
  const invite = $('#reg-invite');
  const needsInvite = serverPolicy.registration === 'invite';
  $('#reg-invite-field').hidden = !needsInvite && !invite.value;
  invite.required = needsInvite;
  $('#guest-section').hidden = serverPolicy.guests === 'off';
  if (closed && !$('#register-form').hidden) selectTab('login');
}

function showReset(on) {
  $('#reset-form').hidden = !on;
  for (const sel of ['.tabs', '#login-form', '#register-form', '#guest-section', '#registration-closed']) {
    const el = $(sel);
    if (on) el.hidden = true;
  }
  if (!on) {
    $('.tabs').hidden = false;
    applyPolicy();
    selectTab('login');
  } else {
    $('#reset-password').focus();
  }
}

/** `#/invite/CODE` fills the code in; `#/reset/TOKEN` asks for a new password. */
function applyHash() {
  if (currentUser()) return;
  const invite = location.hash.match(/^#\/invite\/([A-Za-z0-9]+)$/);
  const reset = location.hash.match(/^#\/reset\/([A-Za-z0-9]+)$/);
  if (invite) {
    showReset(false);
    $('#reg-invite').value = invite[1];
    applyPolicy();
    if (serverPolicy.registration !== 'closed') selectTab('register');
  } else if (reset) {
    resetToken = reset[1];
    showReset(true);
  }
}

export function selectTab(which) {
  const loginTab = $('#tab-login');
  const registerTab = $('#tab-register');
  const isLogin = which === 'login';
  loginTab.setAttribute('aria-selected', String(isLogin));
  registerTab.setAttribute('aria-selected', String(!isLogin));
  $('#login-form').hidden = !isLogin;
  $('#register-form').hidden = isLogin;
  (isLogin ? $('#login-name') : $('#reg-username')).focus();
}

function reasonOf(err) {
  return err.status === 403 ? REASONS[err.details.reason] : undefined;
}

export function initAuthView() {
  // The refresh cookie is Secure; outside a secure context the browser drops it.
  $('#insecure-note').hidden = window.isSecureContext;
  $('#tab-login').addEventListener('click', () => selectTab('login'));
  $('#tab-register').addEventListener('click', () => selectTab('register'));
  for (const tab of [$('#tab-login'), $('#tab-register')]) {
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        selectTab(tab.id === 'tab-login' ? 'register' : 'login');
        $(tab.id === 'tab-login' ? '#tab-register' : '#tab-login').focus();
      }
    });
  }

  const loginForm = $('#login-form');
  loginForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(loginForm);
    const name = loginForm.elements.login.value.trim();
    const password = loginForm.elements.password.value;
    if (!name || !password) {
      showFieldError(loginForm, 'form', 'Enter your username or email and your password.');
      return;
    }
    busy(loginForm, async () => {
      try {
        await login(name, password);
        loginForm.reset();
      } catch (err) {
        showFieldError(loginForm, 'form', err.status === 401 ? 'Wrong username, email or password.' : reasonOf(err) || describe(err));
        loginForm.elements.password.select();
      }
    });
  });

  const regForm = $('#register-form');
  regForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(regForm);
    const { username, email, password, invite } = regForm.elements;
    busy(regForm, async () => {
      try {
        await register(username.value.trim(), email.value.trim(), password.value, invite.value.trim());
        regForm.reset();
        if (location.hash.startsWith('#/invite/')) location.hash = '';
      } catch (err) {
        if (err.status === 403 && INVITE_REASONS.has(err.details.reason)) {
          $('#reg-invite-field').hidden = false;
          showFieldError(regForm, 'invite', REASONS[err.details.reason]);
          invite.focus();
        } else if (reasonOf(err)) {
          showFieldError(regForm, 'form', reasonOf(err));
        } else if (err.code === 'validation_failed' && err.details.fields) {
          for (const [field, reason] of Object.entries(err.details.fields)) showFieldError(regForm, field, reason);
          const first = Object.keys(err.details.fields)[0];
          regForm.elements[first]?.focus();
        } else if (err.code === 'conflict') {
          const field = err.details.field || 'username';
          showFieldError(regForm, field, field === 'email' ? 'An account with this email already exists.' : 'This username is taken.');
          regForm.elements[field]?.focus();
        } else {
          showFieldError(regForm, 'form', describe(err));
        }
      }
    });
  });

  $('#guest-button').addEventListener('click', async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    try {
      await guest();
    } catch (err) {
      showFieldError(loginForm.hidden ? regForm : loginForm, 'form', reasonOf(err) || describe(err));
    } finally {
      button.disabled = false;
    }
  });

  const resetForm = $('#reset-form');
  resetForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(resetForm);
    const password = resetForm.elements.new_password.value;
    busy(resetForm, async () => {
      try {
        await resetPassword(resetToken, password);
        resetForm.reset();
        resetToken = null;
        location.hash = '';
        showReset(false);
        showFieldError(loginForm, 'form', 'Your password was changed. Sign in with the new one.');
      } catch (err) {
        if (err.code === 'validation_failed' && err.details.fields) {
          for (const [field, reason] of Object.entries(err.details.fields)) showFieldError(resetForm, field, reason);
        } else if (err.status === 403) {
          showFieldError(resetForm, 'form', 'This reset link was already used or has expired. Ask an administrator for a new one.');
        } else {
          showFieldError(resetForm, 'form', describe(err));
        }
      }
    });
  });
  $('#reset-cancel').addEventListener('click', () => {
    location.hash = '';
    showReset(false);
  });

  window.addEventListener('hashchange', applyHash);
  policy()
    .then((p) => {
      serverPolicy = p;
    })
    .catch(() => {})
    .finally(() => {
      applyPolicy();
      applyHash();
    });
}
