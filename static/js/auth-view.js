// The sign-in / sign-up screen.

import { login, register, guest } from './api.js';
import { $ } from './dom.js';

const FIELD_LABELS = { username: 'Username', email: 'Email', password: 'Password' };

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
        showFieldError(loginForm, 'form', err.status === 401 ? 'Wrong username, email or password.' : describe(err));
        loginForm.elements.password.select();
      }
    });
  });

  const regForm = $('#register-form');
  regForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(regForm);
    const { username, email, password } = regForm.elements;
    busy(regForm, async () => {
      try {
        await register(username.value.trim(), email.value.trim(), password.value);
        regForm.reset();
      } catch (err) {
        if (err.code === 'validation_failed' && err.details.fields) {
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
      showFieldError(loginForm.hidden ? regForm : loginForm, 'form', describe(err));
    } finally {
      button.disabled = false;
    }
  });
}
