// A guest follows a public chat: reads it live, but the composer is replaced
// by a sign-up prompt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, openPage, signIn, uniqueName, apiRegister, apiLogin, apiCall, screenshot } from './helpers.js';

const env = useServerAndBrowser();

test('a guest follows a public chat live but cannot send', async () => {
  const host = uniqueName('host');
  await apiRegister(env.server, host);
  const token = await apiLogin(env.server, host);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'town-square', members: [], public: true });
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'Welcome, everyone!' });

  const page = await openPage(env.browser, env.server);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.locator('.me-role', { hasText: 'guest' }).waitFor();
  await screenshot(page, 'guest-welcome');
  await page.locator('#browse-public').click();
  await page.getByRole('button', { name: /town-square/ }).click();
  await page.locator('#chat-title', { hasText: 'town-square' }).waitFor();
  await page.locator('#messages .msg-body', { hasText: 'Welcome, everyone!' }).waitFor();
  await page.locator('#conn-pill[data-state="online"]').waitFor();

  // No way to write; an invitation to sign up instead.
  assert.equal(await page.locator('#composer').isHidden(), true);
  assert.equal(await page.getByLabel('Message', { exact: true }).isVisible(), false);
  await page.getByRole('button', { name: 'Sign up to join the conversation' }).waitFor();

  // Live: a message sent now appears without a reload.
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'The coffee is ready.' });
  await page.locator('#messages .msg-body', { hasText: 'The coffee is ready.' }).waitFor();
  await page.locator('.chat-item', { hasText: 'town-square' }).waitFor();
  await screenshot(page, 'guest-public-chat');

  // Even a hand-made send frame is refused by the server, and nothing shows.
  const refused = await page.evaluate(async (chatId) => {
    const res = await fetch(`/api/v1/chats/${chatId}/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ body: 'x' }) });
    return res.status;
  }, chat.id);
  assert.equal(refused, 401);

  // Following survives a reload.
  await page.reload();
  await page.locator('.chat-item', { hasText: 'town-square' }).waitFor();
  await page.locator('#messages .msg-body', { hasText: 'The coffee is ready.' }).waitFor();
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'Still following after reload.' });
  await page.locator('#messages .msg-body', { hasText: 'Still following after reload.' }).waitFor();
  await page.context().close();
});

test('a user previews a public chat, joins it and writes', async () => {
  const host = uniqueName('host');
  const visitor = uniqueName('visitor');
  await apiRegister(env.server, host);
  await apiRegister(env.server, visitor);
  const token = await apiLogin(env.server, host);
  const chat = await apiCall(env.server, token, 'POST', '/chats', { name: 'book-club', members: [], public: true });
  await apiCall(env.server, token, 'POST', `/chats/${chat.id}/messages`, { body: 'This month: Piranesi.' });

  const page = await openPage(env.browser, env.server);
  await signIn(page, visitor);
  await page.locator('#browse-public').click();
  await page.getByRole('button', { name: /book-club/ }).click();
  await page.locator('#messages .msg-body', { hasText: 'Piranesi' }).waitFor();
  assert.equal(await page.locator('#composer').isHidden(), true);
  await page.getByRole('button', { name: 'Join chat' }).click();
  const input = page.getByLabel('Message', { exact: true });
  await input.waitFor();
  await input.fill('Count me in!');
  await input.press('Enter');
  await page.locator('#messages .msg:not(.pending) .msg-body', { hasText: 'Count me in!' }).waitFor();
  const stored = await apiCall(env.server, token, 'GET', `/chats/${chat.id}/messages`);
  assert.deepEqual(stored.map((m) => m.body), ['This month: Piranesi.', 'Count me in!']);
  // Now a member: the chat sits under Chats, not Following.
  await page.locator('#chat-list .chat-item', { hasText: 'book-club' }).waitFor();
  assert.equal(await page.locator('#following-list .chat-item', { hasText: 'book-club' }).count(), 0);
  await page.context().close();
});
