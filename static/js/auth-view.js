// The sign-in / sign-up screen.

import { login, register, guest, policy, resetPassword, currentUser } from './api.js';
import { $ } from './dom.js';
import { t, errorText, fieldText, LANGUAGES, locale, setLocale } from './i18n.js';

const FIELD_LABELS = { username: 'auth.username', email: 'auth.email', password: 'auth.password', invite: 'auth.inviteCode' };

// Why the server refused a sign-up or sign-in (`details.reason` of a 403):
// the table's `reason.*` entries.
const REASONS = new Set(['registration_closed', 'invite_required', 'invite_unknown', 'invite_expired', 'invite_used_up', 'guests_disabled', 'disabled']);
const INVITE_REASONS = new Set(['invite_required', 'invite_unknown', 'invite_expired', 'invite_used_up']);

let serverPolicy = { registration: 'open', guests: 'on' };
let resetToken = null;

function clearErrors(form) {
  for (const el of form.querySelectorAll('[data-error]')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showFieldError(form, field, message) {
  const slot = form.querySelector(`[data-error="${field}"]`) || form.querySelector('[data-error="form"]');
  slot.textContent = slot.dataset.error === 'form' && FIELD_LABELS[field] ? `${t(FIELD_LABELS[field])}: ${message}` : message;
  const input = form.elements[field];
  if (input) input.setAttribute('aria-invalid', 'true');
}

function describe(err) {
  if (err.code === 'rate_limited') return t('auth.tooManyAttempts', { count: err.retryAfter || 60 });
  return errorText(err);
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
  return err.status === 403 && REASONS.has(err.details.reason) ? t(`reason.${err.details.reason}`) : undefined;
}

/** A language switch on the sign-in screen, for people not signed in yet. */
function languagePicker() {
  const select = $('#auth-language');
  for (const [code, name] of LANGUAGES) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === locale();
    select.append(option);
  }
  select.addEventListener('change', () => setLocale(select.value));
}

export function initAuthView() {
  languagePicker();
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
      showFieldError(loginForm, 'form', t('auth.enterBoth'));
      return;
    }
    busy(loginForm, async () => {
      try {
        await login(name, password);
        loginForm.reset();
      } catch (err) {
        showFieldError(loginForm, 'form', err.status === 401 ? t('auth.wrongLogin') : reasonOf(err) || describe(err));
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
          showFieldError(regForm, 'invite', t(`reason.${err.details.reason}`));
          invite.focus();
        } else if (reasonOf(err)) {
          showFieldError(regForm, 'form', reasonOf(err));
        } else if (err.code === 'validation_failed' && err.details.fields) {
          for (const [field, reason] of Object.entries(err.details.fields)) showFieldError(regForm, field, fieldText(field, reason));
          const first = Object.keys(err.details.fields)[0];
          regForm.elements[first]?.focus();
        } else if (err.code === 'conflict') {
          const field = err.details.field || 'username';
          showFieldError(regForm, field, field === 'email' ? t('auth.emailTaken') : t('auth.usernameTaken'));
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
        showFieldError(loginForm, 'form', t('auth.passwordChanged'));
      } catch (err) {
        if (err.code === 'validation_failed' && err.details.fields) {
          for (const [field, reason] of Object.entries(err.details.fields)) showFieldError(resetForm, field, fieldText(field, reason));
        } else if (err.status === 403) {
          showFieldError(resetForm, 'form', t('auth.resetUsed'));
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
