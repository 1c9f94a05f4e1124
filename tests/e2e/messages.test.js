// Issue 14 in the browser: edit (↑) and delete, a reply's quote that jumps
// to an original outside the loaded page, reactions, mention highlight and
// count, search that jumps into the chat, and notifications.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, eventually,
} from './helpers.js';

const env = useServerAndBrowser();

/** Two registered users with a chat between them; Alice signed in in a browser. */
async function setup({ name = 'team', contextOptions = null } = {}) {
  const alice = uniqueName('alice');
  const bob = uniqueName('bob');
  await apiRegister(env.server, alice);
  await apiRegister(env.server, bob);
  const aliceToken = await apiLogin(env.server, alice);
  const bobToken = await apiLogin(env.server, bob);
  const chat = await apiCall(env.server, aliceToken, 'POST', '/chats', { name, members: [bob] });
  let page;
  if (contextOptions) {
    const context = await env.browser.newContext({ baseURL: env.server.url, viewport: { width: 1280, height: 800 }, ...contextOptions });
    page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.goto('/');
  } else {
    page = await openPage(env.browser, env.server);
  }
  await signIn(page, alice);
  await page.locator('#conn-pill[data-state="online"]').waitFor();
  return { alice, bob, aliceToken, bobToken, chat, page };
}

const send = (token, chatId, body, extra = {}) => apiCall(env.server, token, 'POST', `/chats/${chatId}/messages`, { body, ...extra });

async function openChat(page, chat) {
  await page.locator('.chat-item', { hasText: chat.name }).click();
  await page.locator('#chat-title', { hasText: chat.name }).waitFor();
}

/** Script errors and CSP refusals (not the expected 401 of the first refresh). */
const realErrors = (page) => page.errors.filter((e) => /Content Security Policy|Uncaught|TypeError|ReferenceError/.test(e));

const row = (page, id) => page.locator(`#messages .msg[data-id="${id}"]`);

test('edit with ↑ and delete with a confirmation reach the other member live', async () => {
  const { page, chat, bob, aliceToken } = await setup({ name: 'edits' });
  const bobPage = await openPage(env.browser, env.server);
  await signIn(bobPage, bob);
  await openChat(page, chat);
  await openChat(bobPage, chat);

  const input = page.getByLabel('Message', { exact: true });
  await input.fill('teh plan');
  await input.press('Enter');
  const mine = page.locator('#messages .msg:not(.pending)', { hasText: 'teh plan' });
  await mine.waitFor();
  const id = await mine.getAttribute('data-id');

  await input.press('ArrowUp');
  const editor = page.getByLabel('Edit message', { exact: true });
  await editor.fill('the plan');
  await editor.press('Enter');
  await row(page, id).locator('.msg-edited').waitFor();
  await row(bobPage, id).locator('.msg-body', { hasText: 'the plan' }).waitFor();
  await row(bobPage, id).locator('.msg-edited', { hasText: '(edited)' }).waitFor();

  await row(page, id).hover();
  await row(page, id).getByRole('button', { name: 'Delete message' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
  await row(bobPage, id).locator('.msg-deleted', { hasText: 'This message was deleted' }).waitFor();
  await row(page, id).locator('.msg-deleted').waitFor();
  const stored = await apiCall(env.server, aliceToken, 'GET', `/chats/${chat.id}/messages`);
  assert.equal(stored.find((m) => m.id === Number(id)).deleted, true);
  assert.deepEqual(realErrors(page), []);
  assert.deepEqual(realErrors(bobPage), []);
});

test('a reply quotes its original and the quote jumps to it, loading history around it', async () => {
  const { page, chat, aliceToken, bobToken } = await setup({ name: 'replies' });
  const original = await send(bobToken, chat.id, 'the original question');
  for (let i = 0; i < 70; i += 1) await send(aliceToken, chat.id, `filler ${i}`);
  await openChat(page, chat);
  await page.locator('#messages .msg', { hasText: 'filler 69' }).waitFor();
  assert.equal(await row(page, original.id).count(), 0, 'the original is not loaded yet');

  // Reply from the UI to the newest message, then to the old one over the API.
  const newest = page.locator('#messages .msg', { hasText: 'filler 69' });
  await newest.hover();
  await newest.getByRole('button', { name: 'Reply' }).click();
  await page.locator('#reply-bar', { hasText: 'filler 69' }).waitFor();
  const input = page.getByLabel('Message', { exact: true });
  await input.fill('answering');
  await input.press('Enter');
  await page.locator('#messages .msg:not(.pending)', { hasText: 'answering' }).locator('.msg-quote', { hasText: 'filler 69' }).waitFor();

  await send(bobToken, chat.id, 'see above', { reply_to: original.id });
  const quote = page.locator('#messages .msg', { hasText: 'see above' }).locator('.msg-quote');
  await quote.waitFor();
  await quote.click();
  await row(page, original.id).waitFor();
  await eventually(() => row(page, original.id).isVisible(), 'the original scrolled into view');
  await page.getByRole('button', { name: 'Jump to latest ↓' }).click();
  await page.locator('#messages .msg', { hasText: 'see above' }).waitFor();
  assert.deepEqual(realErrors(page), []);
});

test('reactions from the picker show counts and who reacted', async () => {
  const { page, chat, bobToken, bob } = await setup({ name: 'reactions' });
  const m = await send(bobToken, chat.id, 'ship it?');
  await apiCall(env.server, bobToken, 'PUT', `/chats/${chat.id}/messages/${m.id}/reactions/${encodeURIComponent('🎉')}`);
  await openChat(page, chat);
  await row(page, m.id).hover();
  await row(page, m.id).getByRole('button', { name: 'Add reaction' }).click();
  await row(page, m.id).getByRole('menuitem', { name: 'React with 👍' }).click();
  const thumbs = row(page, m.id).locator('.reaction.mine', { hasText: '👍' });
  await thumbs.waitFor();
  assert.equal(await thumbs.locator('.reaction-count').textContent(), '1');
  const party = row(page, m.id).locator('.reaction', { hasText: '🎉' });
  assert.match(await party.getAttribute('title'), new RegExp(bob));
  // Clicking my reaction takes it back.
  await thumbs.click();
  await eventually(async () => (await row(page, m.id).locator('.reaction', { hasText: '👍' }).count()) === 0, 'reaction removed');
});

test('@ autocompletes members; mentions of me are highlighted and counted in the sidebar', async () => {
  const { page, chat, bob, bobToken, alice } = await setup({ name: 'mentions' });
  await apiCall(env.server, bobToken, 'POST', `/chats/${chat.id}/messages`, { body: `hey @${alice}, look` });
  const item = page.locator('.chat-item', { hasText: 'mentions' });
  await item.locator('.badge-mention', { hasText: '@1' }).waitFor();
  await openChat(page, chat);
  await page.locator('#messages .msg.mentions-me .mention-me', { hasText: `@${alice}` }).waitFor();
  await eventually(async () => (await item.locator('.badge-mention').count()) === 0, 'mention count cleared once read');

  const input = page.getByLabel('Message', { exact: true });
  await input.fill(`thanks @${bob.slice(0, 3)}`);
  await page.getByRole('option', { name: `@${bob}` }).waitFor();
  await input.press('Tab');
  assert.equal(await input.inputValue(), `thanks @${bob} `);
  await input.press('Enter');
  await page.locator('#messages .msg:not(.pending) .mention', { hasText: `@${bob}` }).waitFor();
});

test('search finds a message and jumps to it in its chat', async () => {
  const { page, chat, bobToken, aliceToken } = await setup({ name: 'searching' });
  const target = await send(bobToken, chat.id, 'the Zürich offsite is booked');
  for (let i = 0; i < 60; i += 1) await send(aliceToken, chat.id, `noise ${i}`);
  await page.getByRole('button', { name: /Search messages/ }).click();
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('zurich off');
  const hit = page.locator(`.search-hit[data-id="${target.id}"]`);
  await hit.waitFor();
  assert.equal(await hit.locator('mark').first().textContent(), 'Zürich');
  await hit.click();
  await page.locator('#chat-title', { hasText: 'searching' }).waitFor();
  await row(page, target.id).waitFor();
  await eventually(() => row(page, target.id).isVisible(), 'the hit scrolled into view');
});

test('notifications: title and favicon count, desktop notification for a mention while hidden, mute', async () => {
  const { page, chat, bobToken, alice } = await setup({ name: 'notify', contextOptions: { permissions: ['notifications'] } });
  await page.evaluate(() => {
    window.__notes = [];
    const Real = window.Notification;
    // Record what the page shows; still construct the real thing.
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
  assert.equal(await page.evaluate(() => Notification.permission), 'granted');

  await send(bobToken, chat.id, `@${alice} are you there?`);
  await eventually(async () => (await page.title()) === '(1) microchat', 'unread in the title');
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.match(icon, /^data:image\/png/);
  const notes = await eventually(async () => {
    const n = await page.evaluate(() => window.__notes);
    return n.length ? n : null;
  }, 'a desktop notification');
  assert.match(notes[0].title, /in notify/);
  assert.match(notes[0].body, /are you there/);

  // A plain message in a group chat does not notify; a muted chat never does.
  await send(bobToken, chat.id, 'no mention here');
  await eventually(async () => (await page.title()) === '(2) microchat', 'two unread');
  await openChat(page, chat);
  await page.locator('#chat-actions').getByRole('button', { name: 'Chat options' }).click();
  await page.getByRole('menuitem', { name: 'Mute notifications' }).click();
  await page.locator('#back-button').evaluate((b) => b.click());
  await page.evaluate(() => {
    location.hash = '';
  });
  await send(bobToken, chat.id, `@${alice} again`);
  await page.locator('.chat-item.muted', { hasText: 'notify' }).waitFor();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await page.evaluate(() => window.__notes)).length, 1);
  assert.equal(await page.title(), 'microchat');
  assert.deepEqual(realErrors(page), []);
});
