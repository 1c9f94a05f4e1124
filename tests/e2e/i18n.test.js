// The web UI in Russian (issue 13): a browser whose language is Russian
// gets the Russian UI on every main screen with no English string left;
// the account menu switches the language and the choice survives a reload;
// and people's display names (not usernames) show in reply quotes, search
// results and desktop notifications.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, eventually,
} from './helpers.js';

const env = useServerAndBrowser();

/**
 * Every English string of the UI's table (static/i18n/en.js) found on the
 * page, in text or in a placeholder, aria-label, title or alt: none may be
 * left while the UI is in Russian. A table value with `{placeholders}` is
 * checked piece by piece; pieces the Russian table uses too (brand names,
 * key names like Esc) are not English words.
 */
function englishLeft(page) {
  return page.evaluate(async () => {
    const en = (await import('/i18n/en.js')).default;
    const ru = (await import('/i18n/ru.js')).default;
    const ruText = Object.values(ru).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))).join('\n');
    const pieces = new Set();
    for (const value of Object.values(en)) {
      for (const form of typeof value === 'string' ? [value] : Object.values(value)) {
        for (const raw of form.split(/\{\w+\}/)) {
          const piece = raw.trim().replace(/^[\s:·,.;(]+|[\s:·,;(]+$/g, '');
          if (/[A-Za-z]{2}/.test(piece) && !ruText.includes(piece)) pieces.add(piece);
        }
      }
    }
    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const patterns = [...pieces].map((p) => [p, new RegExp(`(^|[^A-Za-z])${escape(p)}($|[^A-Za-z])`)]);
    const seen = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text) seen.push([text, node.parentElement]);
    }
    for (const el of document.body.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
      for (const attr of ['placeholder', 'aria-label', 'title', 'alt']) {
        const value = el.getAttribute(attr);
        if (value) seen.push([value, el]);
      }
    }
    const found = [];
    for (const [text, el] of seen) {
      for (const [piece, re] of patterns) {
        if (re.test(text)) found.push(`"${piece}" in "${text.slice(0, 80)}" (${el?.id || el?.className || el?.tagName})`);
      }
    }
    return found;
  });
}

async function assertRussian(page, screen) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru', `${screen}: <html lang>`);
  assert.deepEqual(await englishLeft(page), [], `${screen}: English left on screen`);
}

const closeDialog = (page) => page.locator('dialog[open] .dialog-head .icon-btn').click();

/** An admin, and a member with a display name; a chat with a reply between them. */
async function people() {
  const ivan = uniqueName('ivan');
  const olga = uniqueName('olga');
  await apiRegister(env.server, ivan);
  await apiRegister(env.server, olga);
  env.server.setRole(ivan, 'admin');
  const ivanToken = await apiLogin(env.server, ivan);
  const olgaToken = await apiLogin(env.server, olga);
  await apiCall(env.server, olgaToken, 'PATCH', '/users/me', { display_name: 'Ольга Петрова' });
  const chat = await apiCall(env.server, ivanToken, 'POST', '/chats', { name: 'Команда', members: [olga] });
  const original = await apiCall(env.server, olgaToken, 'POST', `/chats/${chat.id}/messages`, { body: 'Привет всем, созвон в пятницу' });
  await apiCall(env.server, ivanToken, 'POST', `/chats/${chat.id}/messages`, { body: 'Договорились', reply_to: original.id });
  await apiCall(env.server, ivanToken, 'POST', '/invites', { max_uses: 3 });
  return { ivan, olga, ivanToken, olgaToken, chat, original };
}

test('a Russian browser gets the UI in Russian on every main screen, no English left', async () => {
  const { ivan, chat } = await people();
  const page = await openPage(env.browser, env.server, { locale: 'ru-RU' });

  await page.locator('#login-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#tab-login').textContent(), 'Войти');
  await assertRussian(page, 'sign-in');
  await page.locator('#tab-register').click();
  await page.locator('#register-form').waitFor({ state: 'visible' });
  await assertRussian(page, 'sign-up');
  // The server's validation reasons (English) come out in Russian.
  await page.locator('#reg-username').fill('x');
  await page.locator('#reg-email').fill('x@example.com');
  await page.locator('#reg-password').fill('short');
  await page.locator('#register-form button[type="submit"]').click();
  await page.locator('#reg-username-error', { hasText: 'латинские буквы' }).waitFor();
  await page.locator('#reg-password-error', { hasText: 'Не короче 8 символов' }).waitFor();
  await assertRussian(page, 'sign-up refused');
  await page.locator('#tab-login').click();
  // A refusal comes in Russian too.
  await page.locator('#login-name').fill(ivan);
  await page.locator('#login-password').fill('not-the-password-1');
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('#login-form .form-error', { hasText: 'Неверное имя пользователя' }).waitFor();

  await signIn(page, ivan);
  await page.locator('#conn-pill[data-state="online"]').waitFor();
  await page.locator('#empty-view h1').waitFor();
  await assertRussian(page, 'main screen');

  await page.goto(`/#/chat/${chat.id}`);
  await page.locator('.msg-body', { hasText: 'Договорились' }).waitFor();
  await page.locator('.msg-quote-author', { hasText: 'Ольга Петрова' }).waitFor();
  await page.locator('#chat-subtitle', { hasText: '2 участника' }).waitFor();
  await assertRussian(page, 'a chat with messages');

  await page.locator('#members-toggle').click();
  await page.locator('#members-panel .member', { hasText: 'Ольга Петрова' }).waitFor();
  await assertRussian(page, 'members panel');

  await page.locator('#chat-actions [aria-haspopup="menu"]').click();
  await page.locator('#chat-menu').waitFor({ state: 'visible' });
  await assertRussian(page, 'chat menu');
  await page.keyboard.press('Escape');

  // A message's hover actions and the reaction picker.
  await page.locator('.msg', { hasText: 'Договорились' }).hover();
  await page.locator('.msg', { hasText: 'Договорились' }).locator('.msg-action').first().click();
  await page.locator('.picker').waitFor();
  await assertRussian(page, 'reaction picker');

  await page.locator('#open-search').click();
  await page.locator('#search-input').fill('созвон');
  await page.locator('.search-hit .search-hit-author', { hasText: 'Ольга Петрова' }).waitFor();
  await page.locator('#search-status', { hasText: '1 результат' }).waitFor();
  await assertRussian(page, 'search');
  await page.locator('#search-close').click();

  for (const [button, screen] of [['#new-chat', 'new chat dialog'], ['#new-direct', 'direct message dialog'], ['#browse-public', 'public chats']]) {
    await page.locator(button).click();
    await page.locator('dialog[open]').waitFor();
    if (button === '#browse-public') await page.locator('dialog[open] .directory-item, dialog[open] .directory .muted').first().waitFor();
    await assertRussian(page, screen);
    await closeDialog(page);
  }

  await page.locator('.me-button').click();
  await page.locator('#me-menu').waitFor({ state: 'visible' });
  await assertRussian(page, 'account menu');
  await page.locator('#me-menu button').first().click();
  await page.locator('#profile-name').waitFor();
  await assertRussian(page, 'profile');
  await closeDialog(page);

  await page.goto('/#/admin');
  await page.locator('#admin-users tr').first().waitFor();
  await page.locator('#admin-invites tr[data-code]').first().waitFor();
  await page.locator('#admin-policy', { hasText: 'Регистрация: открыта' }).waitFor();
  await assertRussian(page, 'admin');
  // The refused sign-up and sign-in (and the first cookie-less refresh) log
  // their 422 and 401s; nothing else may.
  assert.deepEqual(page.errors.filter((e) => !/status of (401|422)/.test(e)), []);
  await page.context().close();
});

test('the account menu switches the language, and the choice survives a reload', async () => {
  const { ivan } = await people();
  const page = await openPage(env.browser, env.server);
  await signIn(page, ivan);
  await page.locator('#chats-title', { hasText: 'Chats' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // The detector of the first test does see English where there is some.
  const english = await englishLeft(page);
  assert.ok(english.some((f) => f.startsWith('"New chat"')) && english.length > 20, `English found: ${english.length}`);

  await page.locator('.me-button').click();
  await page.getByRole('menuitem', { name: 'Language…' }).click();
  await page.locator('#language-select').selectOption('ru');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Apply' }).click()]);
  await page.locator('#chats-title', { hasText: 'Чаты' }).waitFor();
  await page.locator('#new-chat', { hasText: 'Новый чат' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('microchat.lang')), 'ru');
  await assertRussian(page, 'after switching');

  await page.reload();
  await page.locator('#chats-title', { hasText: 'Чаты' }).waitFor();
  await page.locator('.me-role', { hasText: 'администратор' }).waitFor();

  // And back, from the same menu in Russian.
  await page.locator('.me-button').click();
  await page.getByRole('menuitem', { name: 'Язык…' }).click();
  await page.locator('#language-select').selectOption('en');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Применить' }).click()]);
  await page.locator('#chats-title', { hasText: 'Chats' }).waitFor();

  // Signed out, the sign-in screen has its own switch.
  const fresh = await openPage(env.browser, env.server);
  await fresh.locator('#login-form').waitFor({ state: 'visible' });
  await Promise.all([fresh.waitForEvent('load'), fresh.locator('#auth-language').selectOption('ru')]);
  await fresh.locator('#tab-register', { hasText: 'Создать аккаунт' }).waitFor();
  await page.context().close();
  await fresh.context().close();
});

test('display names, not usernames, in reply quotes, search results and desktop notifications', async () => {
  const { ivan, olga, olgaToken, chat } = await people();
  const context = await env.browser.newContext({ baseURL: env.server.url, viewport: { width: 1280, height: 800 }, permissions: ['notifications'] });
  const page = await context.newPage();
  await page.goto('/');
  await signIn(page, ivan);
  await page.locator('#conn-pill[data-state="online"]').waitFor();

  // The quote names the original's author by display name, username on hover.
  await page.goto(`/#/chat/${chat.id}`);
  const quote = page.locator('.msg-quote-author', { hasText: 'Ольга Петрова' });
  await quote.waitFor();
  assert.equal(await quote.getAttribute('title'), `@${olga}`);
  assert.equal(await page.locator('.msg-quote-author', { hasText: olga }).count(), 0);

  // A search hit's author too, also from a chat this page never opened.
  const other = await apiCall(env.server, olgaToken, 'POST', '/chats', { name: 'elsewhere', members: [ivan] });
  await apiCall(env.server, olgaToken, 'POST', `/chats/${other.id}/messages`, { body: 'quarterly figures attached' });
  await page.goto('/');
  await page.reload();
  await page.locator('#conn-pill[data-state="online"]').waitFor();
  await page.locator('#open-search').click();
  await page.locator('#search-input').fill('quarterly');
  const author = page.locator('.search-hit .search-hit-author', { hasText: 'Ольга Петрова' });
  await author.waitFor();
  assert.equal(await author.getAttribute('title'), `@${olga}`);

  // A desktop notification (a mention while the tab is hidden) is titled
  // with the sender's display name.
  await page.evaluate(() => {
    window.__notes = [];
    const Real = window.Notification;
    function Recorded(title, options) {
      window.__notes.push({ title, body: options?.body });
      try {
        return new Real(title, options);
      } catch {
        return {};
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Recorded.requestPermission = () => Real.requestPermission();
    window.Notification = Recorded;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  });
  const third = await apiCall(env.server, olgaToken, 'POST', '/chats', { name: 'planning', members: [ivan] });
  await page.locator('.chat-item', { hasText: 'planning' }).waitFor();
  await apiCall(env.server, olgaToken, 'POST', `/chats/${third.id}/messages`, { body: `@${ivan} are you coming?` });
  const notes = await eventually(async () => {
    const n = await page.evaluate(() => window.__notes);
    return n.length ? n : null;
  }, 'a desktop notification');
  assert.equal(notes[0].title, 'Ольга Петрова in planning');
  await context.close();
});
